"""Printable and scannable documents for a return: the authorization PDF and the QR code.

Everything here takes plain data and returns bytes or markup, so it never touches the
database and can run in a view or a worker. Text comes out in the active Django language
(the caller activates the customer's), dates in the current time zone. Codes are drawn
locally (reportlab for the PDF, segno for the page); nothing is fetched from a network.
"""

from __future__ import annotations

import functools
import io
import logging
import os
import re
from dataclasses import dataclass, field
from datetime import datetime
from xml.sax.saxutils import escape

import reportlab
import segno
from django.utils import formats, timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class AuthorizationLine:
    title: str
    variant: str
    sku: str
    quantity: int
    reason: str


@dataclass(frozen=True)
class AuthorizationData:
    return_number: str
    order_number: str
    created_at: datetime  # aware
    store_name: str
    return_address: str  # one line of the parcel's address per line
    customer_name: str
    method_label: str  # "Prepaid label", "Drop-off", … already translated
    lines: list[AuthorizationLine] = field(default_factory=list)
    instructions: list[str] = field(default_factory=list)  # already translated
    dropoff_code: str = ""
    label_tracking_number: str = ""


# --- fonts -------------------------------------------------------------------------------

# Helvetica and the other standard PDF fonts only know WinAnsi, which lacks Turkish letters
# (ğ, ş, dotless i, dotted capital I), so the document embeds a TrueType font. DejaVu Sans
# comes first: Debian's fontconfig pulls in fonts-dejavu-core, so almost every machine
# with fonts has it, and it also covers Cyrillic and Greek names. Minimal containers have
# no fonts at all, so the next choice is the Bitstream Vera that ships inside reportlab's
# own wheel: DejaVu is derived from it and Vera already has the Turkish letters (checked
# below, not assumed), so the PDF works on a fresh machine with nothing but `pip install`.
_TURKISH = "ğĞşŞıİöÖüÜçÇ"
_REPORTLAB_FONTS = os.path.join(os.path.dirname(reportlab.__file__), "fonts")
_FONT_CANDIDATES = (  # (name, regular file, bold file), the first that exists and fits wins
    (
        "DejaVuSans",  # Debian, Ubuntu
        "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
        "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    ),
    (
        "DejaVuSans",  # Fedora, RHEL
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans.ttf",
        "/usr/share/fonts/dejavu-sans-fonts/DejaVuSans-Bold.ttf",
    ),
    (
        "Vera",
        os.path.join(_REPORTLAB_FONTS, "Vera.ttf"),
        os.path.join(_REPORTLAB_FONTS, "VeraBd.ttf"),
    ),
)


@dataclass(frozen=True)
class PdfFonts:
    regular: str  # the names the document's styles use
    bold: str
    path: str  # the regular font's file, "" for the Helvetica fallback


def _covers(font: TTFont, text: str) -> bool:
    glyphs = font.face.charToGlyph
    return all(glyphs.get(ord(char), 0) != 0 for char in text)


@functools.cache
def pdf_fonts() -> PdfFonts:
    """Register the document's regular and bold fonts once per process and say which
    they are. Falls back to Helvetica (Turkish letters lost) only if reportlab's own Vera
    is missing, which a normal install cannot be; that is logged as an error."""
    for name, regular_path, bold_path in _FONT_CANDIDATES:
        if not (os.path.exists(regular_path) and os.path.exists(bold_path)):
            continue
        # reportlab keeps the first font registered under a name, so each file has its own.
        regular_name, bold_name = f"Portico-{name}", f"Portico-{name}-Bold"
        try:
            regular, bold = TTFont(regular_name, regular_path), TTFont(bold_name, bold_path)
        except Exception:  # an unreadable font file: try the next one
            logger.warning("cannot read font %s", regular_path, exc_info=True)
            continue
        if _covers(regular, _TURKISH) and _covers(bold, _TURKISH):
            pdfmetrics.registerFont(regular)
            pdfmetrics.registerFont(bold)
            pdfmetrics.registerFontFamily(regular_name, normal=regular_name, bold=bold_name)
            return PdfFonts(regular_name, bold_name, regular_path)
    logger.error("no TrueType font with Turkish letters found; PDFs use Helvetica")
    return PdfFonts("Helvetica", "Helvetica-Bold", "")


# --- the authorization PDF --------------------------------------------------------------

# Control characters make reportlab's paragraph parser stumble, and no name needs them.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _text(value: object, limit: int = 300) -> str:
    """User or store text made safe for Paragraph markup: no control characters, long
    values cut (one table row taller than a page cannot be laid out), then escaped."""
    text = _CONTROL.sub("", str(value))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return escape(text)


def _styles(regular: str, bold: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=regular, fontSize=10, leading=13)
    return {
        "base": base,
        "small": ParagraphStyle("small", parent=base, fontSize=8.5, leading=11),
        "store": ParagraphStyle("store", parent=base, fontName=bold, fontSize=12, leading=15),
        "title": ParagraphStyle("title", parent=base, fontName=bold, fontSize=20, leading=24),
        "number": ParagraphStyle("number", parent=base, fontName=bold, fontSize=26, leading=32),
        "heading": ParagraphStyle(
            "heading",
            parent=base,
            fontName=bold,
            fontSize=12,
            leading=15,
            spaceBefore=10,
            spaceAfter=4,
        ),
        "address": ParagraphStyle("address", parent=base, fontName=bold, fontSize=13, leading=17),
        "cell_head": ParagraphStyle(
            "cell_head", parent=base, fontName=bold, fontSize=9, leading=11
        ),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=11),
        "cell_right": ParagraphStyle(
            "cell_right", parent=base, fontSize=9, leading=11, alignment=TA_RIGHT
        ),
    }


def _qr_drawing(value: str, size: float) -> Drawing:
    widget = QrCodeWidget(value, barLevel="M")
    x0, y0, x1, y1 = widget.getBounds()
    drawing = Drawing(size, size, transform=[size / (x1 - x0), 0, 0, size / (y1 - y0), 0, 0])
    drawing.add(widget)
    return drawing


def _details(data: AuthorizationData, styles) -> Table:
    created = data.created_at
    if timezone.is_aware(created):  # shown in the current zone (the customer's, if set)
        created = timezone.localtime(created)
    rows = [
        (_("Order"), data.order_number),
        (_("Requested on"), formats.date_format(created, "DATE_FORMAT")),
        (_("Customer"), data.customer_name),
        (_("Return method"), data.method_label),
    ]
    if data.dropoff_code:
        rows.append((_("Drop-off code"), data.dropoff_code))
    if data.label_tracking_number:
        rows.append((_("Label tracking number"), data.label_tracking_number))
    table = Table(
        [
            [Paragraph(_text(k), styles["small"]), Paragraph(_text(v, 120), styles["base"])]
            for k, v in rows
        ],
        colWidths=[38 * mm, None],
    )
    table.setStyle(
        TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    )
    return table


def _lines_table(data: AuthorizationData, styles, width: float) -> Table:
    head = [
        Paragraph(_text(_("Item")), styles["cell_head"]),
        Paragraph(_text(_("SKU")), styles["cell_head"]),
        Paragraph(_text(_("Qty")), styles["cell_head"]),
        Paragraph(_text(_("Reason")), styles["cell_head"]),
    ]
    body = []
    for line in data.lines:
        item = f"<b>{_text(line.title, 200)}</b>"
        if line.variant:
            item += f"<br/>{_text(line.variant, 120)}"
        body.append(
            [
                Paragraph(item, styles["cell"]),
                Paragraph(_text(line.sku, 64), styles["cell"]),
                Paragraph(_text(formats.number_format(line.quantity)), styles["cell_right"]),
                Paragraph(_text(line.reason, 200), styles["cell"]),
            ]
        )
    table = Table(
        [head, *body],
        colWidths=[width * 0.42, width * 0.18, width * 0.08, width * 0.32],
        repeatRows=1,
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.8, colors.black),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, colors.grey),
                ("LEFTPADDING", (0, 0), (0, -1), 0),
            ]
        )
    )
    return table


def authorization_pdf(data: AuthorizationData) -> bytes:
    """The return authorization as an A4 PDF: store, return number (text, QR code and
    Code 128), order, date, customer, method, the lines, the address to write on the
    parcel and the instructions, in the active language. No I/O beyond the fonts, read
    once per process. User text is escaped and cut to a length a page can hold."""
    fonts = pdf_fonts()
    regular, bold = fonts.regular, fonts.bold
    styles = _styles(regular, bold)
    buffer = io.BytesIO()
    title = _("Return authorization")
    number = _CONTROL.sub("", data.return_number)[:40]
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=16 * mm,
        bottomMargin=18 * mm,
        title=f"{title} {number}",
        author=_CONTROL.sub("", data.store_name),
        lang=get_language() or "en",
    )
    width = doc.width
    qr_size = 38 * mm

    heading = [
        Paragraph(_text(data.store_name, 120), styles["store"]),
        Spacer(1, 3 * mm),
        Paragraph(_text(title), styles["title"]),
        Paragraph(_text(number), styles["number"]),
        Spacer(1, 2 * mm),
        _details(data, styles),
    ]
    top = Table([[heading, _qr_drawing(number, qr_size)]], colWidths=[None, qr_size])
    top.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
            ]
        )
    )
    # Code 128 carries ASCII only; our return numbers are, but a number that is not
    # still gets its page, with the QR code (which takes any text) as the only code.
    barcode = (
        Code128(
            number,
            barHeight=14 * mm,
            barWidth=0.4 * mm,
            humanReadable=True,
            fontName=regular,
            fontSize=9,
        )
        if number.isascii() and number.isprintable()
        else Spacer(1, 0)
    )
    address = "<br/>".join(_text(part, 120) for part in data.return_address.splitlines()[:10])
    address_box = Table([[Paragraph(address, styles["address"])]], colWidths=[width * 0.6])
    address_box.setStyle(
        TableStyle(
            [
                ("BOX", (0, 0), (-1, -1), 1.2, colors.black),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    address_box.hAlign = "LEFT"
    story = [
        top,
        Spacer(1, 4 * mm),
        barcode,
        Spacer(1, 2 * mm),
        Paragraph(_text(_("Items to return")), styles["heading"]),
        _lines_table(data, styles, width),
        KeepTogether(
            [
                Paragraph(_text(_("Send the parcel to")), styles["heading"]),
                Paragraph(
                    _text(_("Write this address on the parcel and put this page inside it.")),
                    styles["small"],
                ),
                Spacer(1, 2 * mm),
                address_box,
            ]
        ),
    ]
    if data.instructions:
        story.append(Paragraph(_text(_("What to do next")), styles["heading"]))
        for position, step in enumerate(data.instructions[:20], start=1):
            story.append(Paragraph(f"{position}. {_text(step, 600)}", styles["base"]))

    # drawString takes plain text, not markup (no escaping) and does not wrap.
    store = _CONTROL.sub("", data.store_name)
    store = store if len(store) <= 50 else store[:49] + "…"
    footer = f"{title} {number} · {store}"

    def on_page(canvas, doc_):
        canvas.saveState()
        canvas.setFont(regular, 8)
        canvas.setFillColor(colors.grey)
        canvas.drawString(doc_.leftMargin, 10 * mm, footer)
        canvas.drawRightString(A4[0] - doc_.rightMargin, 10 * mm, str(canvas.getPageNumber()))
        canvas.restoreState()

    doc.build(story, onFirstPage=on_page, onLaterPages=on_page)
    return buffer.getvalue()


# --- the QR code on the web page --------------------------------------------------------


def qr_svg(text: str, *, title: str) -> str:
    """An inline SVG QR code of ``text`` for a page: black modules on white with the
    four-module quiet zone (scanners need dark on light, whatever the page's theme),
    ``role="img"`` with the title as its accessible name. ``text`` only becomes the
    module pattern and ``title`` is escaped here, so the result is safe for ``mark_safe``.
    Always a full QR code: segno would pick a Micro QR for short text, which many phone
    scanners do not read."""
    code = segno.make_qr(text, error="m")
    svg = code.svg_inline(scale=4, dark="#000", light="#fff", svgclass="qr-code")
    # segno's root is '<svg width=… height=… class="qr-code">'; add the name to it.
    head, _close, body = svg.partition(">")
    label = escape(title, {'"': "&quot;"})
    return f'{head} role="img" aria-label="{label}"><title>{label}</title>{body}'
