"""The store platforms Portico reads, each behind ``BaseConnector``."""

from importlib import import_module

from .base import BaseConnector

_MODULES = {
    "shopify": "orders.connectors.shopify",
    "woocommerce": "orders.connectors.woocommerce",
    "stripe": "orders.connectors.stripe",
    "portico": "orders.connectors.portico",
}


def get_connector(name: str) -> BaseConnector:
    """The connector named ``name``; ``KeyError`` for one Portico does not have."""
    return import_module(_MODULES[name]).connector


def names() -> list[str]:
    return list(_MODULES)
