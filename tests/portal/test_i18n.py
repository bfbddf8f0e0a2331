from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.formats import date_format

from portal.formatting import format_money, quantize_money

LOCALE = Path(__file__).resolve().parents[2] / "locale"


def test_every_turkish_message_is_translated():
    from babel.messages.pofile import read_po

    with open(LOCALE / "tr" / "LC_MESSAGES" / "django.po", "rb") as handle:
        catalog = read_po(handle)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    fuzzy = [m.id for m in catalog if m.id and m.fuzzy]
    assert not untranslated, untranslated
    assert not fuzzy, fuzzy


def test_the_compiled_catalogue_is_used():
    with translation.override("tr"):
        assert translation.gettext("Create account") == "Hesap oluştur"


@pytest.mark.parametrize(
    ("language", "amount", "currency", "expected"),
    [
        ("tr", "1234.5", "TRY", "₺1.234,50"),
        ("en", "1234.5", "USD", "$1,234.50"),
        ("tr", "1234.5", "EUR", "€1.234,50"),
        ("en", "1234.5", "JPY", "¥1,235"),
    ],
)
def test_money_is_written_the_way_the_language_writes_it(language, amount, currency, expected):
    assert format_money(Decimal(amount), currency, language) == expected


def test_money_rounds_half_up_to_the_minor_unit():
    assert quantize_money(Decimal("0.125"), "USD") == Decimal("0.13")
    assert quantize_money(Decimal("0.135"), "TRY") == Decimal("0.14")
    assert quantize_money(Decimal("2.5"), "JPY") == Decimal("3")


def test_money_filter_uses_the_active_language():
    from portal.templatetags.portal_tags import money

    with translation.override("tr"):
        assert money(Decimal("10"), "TRY") == "₺10,00"
    assert money(None, "TRY") == ""
    assert money("not a number", "TRY") == ""


@pytest.mark.django_db
def test_dates_are_written_in_the_page_language(client, verified_user):
    client.force_login(verified_user)
    turkish = client.get("/tr/account/").content.decode()
    with translation.override("tr"):
        expected = date_format(verified_user.date_joined, "DATE_FORMAT")
    assert expected in turkish
    turkish_months = (
        "Ocak", "Şubat", "Mart", "Nisan", "Mayıs", "Haziran",
        "Temmuz", "Ağustos", "Eylül", "Ekim", "Kasım", "Aralık",
    )  # fmt: skip
    assert any(name in expected for name in turkish_months)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path", ["/tr/accounts/signup/", "/tr/accounts/login/", "/tr/accounts/password/reset/"]
)
def test_turkish_account_pages_say_password_one_way(client, path):
    # Two catalogs of the libraries translate "Password" differently ("Parola", "Şifre");
    # a form that asks for a "Parola" and then its "Şifre (tekrar)" reads as two things.
    html = client.get(path).content.decode()
    assert "Şifre" in html
    assert "Parola" not in html
