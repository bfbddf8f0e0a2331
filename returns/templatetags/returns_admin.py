"""Formatting for the Returns admin screens."""

from django import template

from returns.admin_reports import percent

register = template.Library()


@register.filter
def percent_or_dash(value) -> str:
    """A fraction (``Decimal("0.125")``) as "12.5%" in the active language, "—" for None."""
    return percent(value)
