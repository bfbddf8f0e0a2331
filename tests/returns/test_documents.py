"""The return authorization PDF and the QR code on the return's page.

The PDF's text is read back the way a viewer reads it: content streams decompressed,
each font's ToUnicode map applied to the codes drawn with it (reportlab embeds subsets of
TrueType fonts, so the letters are not in the file as text). No PDF library is needed.
"""

import base64
import re
import zlib
from datetime import UTC, datetime

import defusedxml.ElementTree as ElementTree
import pytest
import segno
from django.utils import translation
from reportlab.pdfbase.ttfonts import TTFont

from returns import documents
from returns.documents import AuthorizationData, AuthorizationLine, authorization_pdf, qr_svg

# --- reading a PDF's text -------------------------------------------------------------


def _objects(pdf: bytes) -> dict[int, tuple[bytes, bytes]]:
    """Object number → (dictionary text, decoded stream or b""), found through the xref
    table and each stream's /Length (embedded font files are binary and may hold any
    bytes, "endobj" included)."""
    table = pdf[int(re.findall(rb"startxref\s+(\d+)", pdf)[-1]) :]
    objects = {}
    for number, (offset, kind) in enumerate(re.findall(rb"(\d{10}) \d{5} ([nf])", table)):
        if kind != b"n":
            continue
        body = pdf[int(offset) :]
        end = body.index(b"endobj")
        stream = re.search(rb">>\s*stream\r?\n", body)  # not "BitstreamVera" in a name
        head, data = body[:end], b""
        if stream and stream.start() < end:
            head = body[: stream.start()]
            length = int(re.search(rb"/Length (\d+)", head).group(1))
            data = body[stream.end() : stream.end() + length]
            if b"ASCII85Decode" in head:
                data = base64.a85decode(data.strip().removesuffix(b"~>"))
            if b"FlateDecode" in head:
                data = zlib.decompress(data)
        objects[number] = (head, data)
    return objects


def _cmap(data: bytes) -> dict[int, str]:
    mapping = {}
    for section in re.findall(rb"beginbfchar(.*?)endbfchar", data, re.S):
        for code, uni in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", section):
            mapping[int(code, 16)] = bytes.fromhex(uni.decode()).decode("utf-16-be")
    for section in re.findall(rb"beginbfrange(.*?)endbfrange", data, re.S):
        for lo, hi, uni in re.findall(rb"<(\w+)>\s*<(\w+)>\s*<(\w+)>", section):
            for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                mapping[code] = chr(int(uni, 16) + offset)
    return mapping


_ESCAPES = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _literal(raw: bytes) -> bytes:
    def unescape(match):
        token = match.group(1)
        if token[:1].isdigit():
            return bytes([int(token, 8) & 0xFF])
        return _ESCAPES.get(token, token)

    return re.sub(rb"\\([0-7]{1,3}|.)", unescape, raw, flags=re.S)


def pdf_text(pdf: bytes) -> str:
    """Every string the pages show, a line per text object, in drawing order."""
    objects = _objects(pdf)
    fonts = {}  # resource name (/F2+0) → code → character
    for head, _data in objects.values():
        name = re.search(rb"/Name /(\S+)", head)
        if b"/Type /Font" not in head or not name:
            continue
        to_unicode = re.search(rb"/ToUnicode (\d+) 0 R", head)
        fonts[name.group(1)] = _cmap(objects[int(to_unicode.group(1))][1]) if to_unicode else None
    token = re.compile(rb"\((?:\\.|[^\\)])*\)|/[^\s/\[\]()<>]+|[A-Za-z*']+|[-\d.]+", re.S)
    lines = []
    for _head, data in objects.values():
        if not data or b" Tf" not in data:
            continue
        font, current, operands = None, [], []
        for tok in token.findall(data):
            if tok == b"Tf":
                font = operands[-2][1:]
            elif tok == b"Tj":
                codes = _literal(operands[-1][1:-1])
                cmap = fonts.get(font)
                current.append(
                    "".join(cmap.get(c, "?") for c in codes) if cmap else codes.decode("latin-1")
                )
            elif tok in (b"ET", b"T*"):
                if current:
                    lines.append("".join(current))
                current = []
            if tok[:1].isalpha() or tok[:1] == b"'":
                operands = []
            else:
                operands.append(tok)
    return "\n".join(lines)


# --- the authorization --------------------------------------------------------------------


def _data(**overrides) -> AuthorizationData:
    values = {
        "return_number": "R-1042",
        "order_number": "#1001",
        "created_at": datetime(2025, 3, 5, 12, 0, tzinfo=UTC),
        "store_name": "Kuş & Çiçek <Dükkân>",
        "return_address": "Portico İade Merkezi\nGüzelyalı Mah. 12. Sokak No: 4\n34000 İstanbul",
        "customer_name": "Ayşe Yılmaz",
        "method_label": "Kargo etiketi",
        "lines": [
            AuthorizationLine("Yün şal", "Kırmızı / L", "SAL-01", 2, "Hasarlı geldi"),
            AuthorizationLine("Canvas tote", "", "TOTE-9", 1, "Changed my mind"),
        ],
        "instructions": ["Ürünleri orijinal kutusuna koyun.", "Paketi kargoya verin."],
    }
    return AuthorizationData(**(values | overrides))


def test_pdf_shows_the_return_lines_and_address_in_turkish():
    with translation.override("tr"):
        pdf = authorization_pdf(_data(dropoff_code="DRP-77"))

    assert pdf.startswith(b"%PDF-")
    text = pdf_text(pdf)
    assert "R-1042" in text
    assert "#1001" in text
    assert "Sipariş" in text  # the label, from the Turkish catalogue
    assert "05 Mart 2025" in text  # the date, in Turkish
    assert "Ayşe Yılmaz" in text
    assert "Yün şal" in text and "Kırmızı / L" in text and "Hasarlı geldi" in text
    assert "DRP-77" in text
    for line in ("Portico İade Merkezi", "Güzelyalı Mah. 12. Sokak No: 4", "34000 İstanbul"):
        assert line in text
    assert "Ürünleri orijinal kutusuna koyun." in text


def test_pdf_uses_english_when_english_is_active():
    text = pdf_text(authorization_pdf(_data()))

    assert "Return authorization" in text
    assert "March 5, 2025" in text
    assert "Order" in text and "Sipariş" not in text


def test_pdf_prints_markup_in_names_as_written():
    text = pdf_text(authorization_pdf(_data(customer_name="<b>Ali</b> & Co. &amp;")))

    assert "Kuş & Çiçek <Dükkân>" in text
    assert "<b>Ali</b> & Co. &amp;" in text


def test_pdf_survives_hostile_and_enormous_input():
    wall = "Ünïcödé 🎁 漢字 <para> &nbsp; \x00\x07\x1b " + "x" * 5000
    data = _data(
        order_number=wall,
        store_name=wall,
        customer_name=wall,
        return_address="\n".join([wall] * 50),
        lines=[AuthorizationLine(wall, wall, wall, n, wall) for n in range(60)],
        instructions=[wall] * 50,
        label_tracking_number=wall,
    )
    with translation.override("tr"):
        pdf = authorization_pdf(data)

    assert pdf.startswith(b"%PDF-")
    assert pdf.count(b"/Type /Page\n") > 1  # the lines run onto more pages


def test_pdf_embeds_a_font_with_the_turkish_letters():
    pdf = authorization_pdf(_data())

    assert b"/FontFile2" in pdf  # an embedded TrueType font, not Helvetica's WinAnsi
    path = documents.pdf_fonts().path
    assert documents._covers(TTFont("probe", path), "ğĞşŞıİöÖüÜçÇ")


def test_machine_without_dejavu_gets_turkish_from_reportlabs_own_font(monkeypatch):
    monkeypatch.setattr(documents, "_FONT_CANDIDATES", documents._FONT_CANDIDATES[-1:])
    documents.pdf_fonts.cache_clear()
    try:
        assert documents.pdf_fonts().path.endswith("Vera.ttf")
        with translation.override("tr"):
            pdf = authorization_pdf(_data())
        assert b"+BitstreamVeraSans-Roman" in pdf and b"DejaVu" not in pdf
        assert "Ayşe Yılmaz" in pdf_text(pdf) and "34000 İstanbul" in pdf_text(pdf)
    finally:
        monkeypatch.undo()
        documents.pdf_fonts.cache_clear()


def _qr_matrix_from_drawing(drawing) -> list[list[bool]]:
    widget = drawing.contents[0]
    group = widget.draw()
    modules = widget.qr.getModuleCount()
    box = widget.barWidth / (modules + 2 * widget.barBorder)
    matrix = [[False] * modules for _ in range(modules)]
    for rect in group.contents[1:]:  # the first is the unfilled frame
        row = round((widget.barHeight - rect.y) / box) - widget.barBorder - 1
        first = round(rect.x / box) - widget.barBorder
        for column in range(first, first + round(rect.width / box)):
            matrix[row][column] = True
    return matrix


@pytest.mark.parametrize("number", ["R-1042", "RET-2025-000123"])
def test_pdf_qr_code_is_a_valid_encoding_of_the_return_number(number):
    # No QR decoder is installed; a second, independent encoder (segno) producing the
    # same modules for this text at some mask pattern proves any scanner reads the number.
    drawn = _qr_matrix_from_drawing(documents._qr_drawing(number, 100))
    candidates = [
        [list(map(bool, row)) for row in code.matrix]
        for code in (
            segno.make_qr(number, error="m", mask=mask, boost_error=False) for mask in range(8)
        )
    ]

    assert drawn in candidates


# --- the QR code on the page -----------------------------------------------------------


def _svg_matrix(svg: str) -> list[list[bool]]:
    """The dark modules segno's path draws: 'M x y' moves, 'm dx dy' moves, 'h n' draws."""
    root = ElementTree.fromstring(svg)
    path = next(el for el in root.iter() if el.tag.endswith("path") and el.get("stroke"))
    cells, x, y = set(), 0.0, 0.0
    for command, a, b in re.findall(r"([Mmh])(-?[\d.]+)(?: (-?[\d.]+))?", path.get("d")):
        if command == "M":
            x, y = float(a), float(b)
        elif command == "m":
            x, y = x + float(a), y + float(b)
        else:
            cells.update((int(y), int(x) + i) for i in range(int(a)))
            x += float(a)
    size = max(c for _r, c in cells) + 5  # 4 modules of quiet zone on each side
    return [[(r, c) in cells for c in range(size)] for r in range(size)]


def test_qr_svg_draws_the_text_as_a_full_qr_code():
    svg = qr_svg("R-1042", title="Return R-1042")

    expected = segno.make_qr("R-1042", error="m")
    assert _svg_matrix(svg) == [list(map(bool, row)) for row in expected.matrix_iter(border=4)]
    assert not svg.startswith("<?xml")
    assert _svg_matrix(qr_svg("R-1043", title="x")) != _svg_matrix(svg)


def test_qr_svg_is_named_for_screen_readers_and_escapes_the_title():
    svg = qr_svg("R-1042", title='Return <script>alert("x")</script> & co')

    root = ElementTree.fromstring(svg)  # well-formed: the title cannot break out
    assert root.get("role") == "img"
    assert root.get("aria-label") == 'Return <script>alert("x")</script> & co'
    assert (
        next(el for el in root.iter() if el.tag.endswith("title")).text
        == 'Return <script>alert("x")</script> & co'
    )
    assert "<script>" not in svg
