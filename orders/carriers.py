"""Carriers Portico knows: a code, a display name and a tracking URL template.

Platforms name carriers loosely ("UPS", "ups", "United Parcel Service", "Yurtiçi Kargo");
``normalise`` maps those to a code. A URL the store sent always wins over the template.
"""

from dataclasses import dataclass
from urllib.parse import quote


@dataclass(frozen=True)
class Carrier:
    code: str
    name: str
    url_template: str
    aliases: tuple[str, ...] = ()


CARRIERS = {
    c.code: c
    for c in [
        Carrier("ups", "UPS", "https://www.ups.com/track?tracknum={number}", ("united parcel",)),
        Carrier(
            "fedex",
            "FedEx",
            "https://www.fedex.com/fedextrack/?trknbr={number}",
            ("federal express",),
        ),
        Carrier(
            "dhl",
            "DHL",
            "https://www.dhl.com/global-en/home/tracking.html?tracking-id={number}",
            ("dhl express", "dhl ecommerce", "dhl parcel"),
        ),
        Carrier(
            "usps",
            "USPS",
            "https://tools.usps.com/go/TrackConfirmAction?tLabels={number}",
            ("united states postal", "us postal"),
        ),
        Carrier(
            "royal_mail",
            "Royal Mail",
            "https://www.royalmail.com/track-your-item#/tracking-results/{number}",
            ("royalmail",),
        ),
        Carrier(
            "yurtici",
            "Yurtiçi Kargo",
            "https://www.yurticikargo.com/tr/online-servisler/gonderi-sorgula?code={number}",
            ("yurtici kargo", "yurtiçi", "yurtici"),
        ),
        Carrier(
            "aras",
            "Aras Kargo",
            "https://kargotakip.araskargo.com.tr/mainpage.aspx?code={number}",
            ("aras kargo", "aras"),
        ),
        Carrier(
            "mng",
            "MNG Kargo",
            "https://kargotakip.mngkargo.com.tr/?takipNo={number}",
            ("mng kargo", "mng", "dhl ecommerce turkey"),
        ),
        Carrier(
            "ptt",
            "PTT Kargo",
            "https://gonderitakip.ptt.gov.tr/Track/Verify?q={number}",
            ("ptt kargo", "ptt"),
        ),
        Carrier(
            "surat",
            "Sürat Kargo",
            "https://suratkargo.com.tr/KargoTakip/?kargotakipno={number}",
            ("surat kargo", "sürat kargo", "surat", "sürat"),
        ),
    ]
}


def _fold(text: str) -> str:
    table = str.maketrans("çğıöşüÇĞİÖŞÜ", "cgiosuCGIOSU")
    return " ".join(text.translate(table).lower().replace("_", " ").replace("-", " ").split())


_BY_NAME = {}
for _carrier in CARRIERS.values():
    for _name in (_carrier.code, _carrier.name, *_carrier.aliases):
        _BY_NAME[_fold(_name)] = _carrier.code


def normalise(name: str) -> str:
    """The carrier code for a platform's carrier name, or "" when unknown."""
    folded = _fold(name or "")
    if folded in _BY_NAME:
        return _BY_NAME[folded]
    for alias, code in _BY_NAME.items():
        if folded.startswith(alias + " "):
            return code
    return ""


def display_name(code: str, fallback: str = "") -> str:
    carrier = CARRIERS.get(code)
    return carrier.name if carrier else fallback


def tracking_url(code: str, number: str, given_url: str = "") -> str:
    """The store's own URL when it sent one, else the carrier's template, else ""."""
    if given_url:
        return given_url
    carrier = CARRIERS.get(code)
    if carrier is None or not number:
        return ""
    return carrier.url_template.format(number=quote(number.strip(), safe=""))
