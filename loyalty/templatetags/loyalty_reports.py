"""Filters for the loyalty dashboard's numbers."""

from django import template

from loyalty.dashboard import percent as _percent

register = template.Library()


@register.filter
def percent(value) -> str:
    """A ratio (0.25) as a percentage with one decimal ("25.0%"), or "—" for None."""
    return _percent(value)
