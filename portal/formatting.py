"""Money and numbers as the active locale writes them. One rounding rule for the house."""

from decimal import ROUND_HALF_UP, Decimal

from babel.numbers import format_currency, get_currency_precision
from django.utils import translation


def quantize_money(amount: Decimal, currency: str) -> Decimal:
    """Round half up to the currency's minor unit (2 for USD/TRY, 0 for JPY)."""
    exponent = Decimal(1).scaleb(-get_currency_precision(currency.upper()))
    return Decimal(amount).quantize(exponent, rounding=ROUND_HALF_UP)


def babel_locale(language: str | None = None) -> str:
    return translation.to_locale(language or translation.get_language() or "en")


def format_money(amount: Decimal, currency: str, language: str | None = None) -> str:
    """``Decimal("1234.5"), "TRY"`` → "₺1.234,50" in Turkish, "TRY 1,234.50" in English."""
    currency = currency.upper()
    return format_currency(
        quantize_money(amount, currency), currency, locale=babel_locale(language)
    )
