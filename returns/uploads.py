"""Customers' photos of what they return: checked, turned upright, shrunk, stripped.

``photo_clean`` is the one door a photo goes through before it is stored. What comes out
is a new file written by Pillow from the pixels alone: no EXIF (so no GPS position, no
camera serial), no XMP, no ICC profile, no comments, and never the customer's file name.
Anything that is not a JPEG, PNG or WebP photo that Pillow can decode in full is refused
with a ``PhotoInvalid`` whose message tells the customer what to send instead.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps

from .exceptions import PhotoInvalid

MAX_PHOTOS_PER_LINE = 3
DEFAULT_MAX_BYTES = 8 * 1024 * 1024  # settings.RETURNS_PHOTO_MAX_BYTES overrides
MAX_SIDE = 2000  # the long side of the stored photo, in pixels
JPEG_QUALITY = 85
FIELD = "photos"

# The only decoders Pillow is allowed to try on a customer's bytes. The JPEG decoder also
# opens the multi-picture JPEGs many phones write (the photo plus a preview), which
# Pillow then reports as "MPO"; their first frame is an ordinary JPEG.
ACCEPTED = ("JPEG", "PNG", "WEBP")
# How many pixels a photo may declare. JPEG is decoded at 1/2, 1/4 or 1/8 scale when it is
# bigger than we keep (Pillow's draft mode), so a 48-megapixel phone photo costs little;
# PNG and WebP are decoded whole (4 bytes a pixel), so their limit is lower. Both are
# below Pillow's own decompression-bomb threshold (see _decode).
MAX_PIXELS = {"JPEG": 8192 * 8192, "MPO": 8192 * 8192, "PNG": 6000 * 4000, "WEBP": 6000 * 4000}

# Formats people try that we do not take, recognised by their first bytes so the message
# can name them (Pillow is only ever asked to open the accepted formats).
_KNOWN_OTHERS = (
    (b"GIF87a", "GIF"),
    (b"GIF89a", "GIF"),
    (b"BM", "BMP"),
    (b"II*\x00", "TIFF"),
    (b"MM\x00*", "TIFF"),
    (b"%PDF", "PDF"),
    (b"8BPS", "PSD"),
    (b"\xff\x0a", "JPEG XL"),
    (b"\x00\x00\x00\x0cJXL ", "JPEG XL"),
)
_HEIF_BRANDS = {b"heic", b"heix", b"hevc", b"hevx", b"heim", b"heis", b"mif1", b"msf1"}
_AVIF_BRANDS = {b"avif", b"avis"}
_OWN_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n")


@dataclass(frozen=True)
class CleanPhoto:
    """A photo ready to store: ``extension`` has no dot ("jpg" or "png")."""

    content: bytes
    content_type: str
    extension: str
    width: int
    height: int


def _other_format(head: bytes) -> str:
    """The name of a format we refuse, from the file's first bytes, or ""."""
    if head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _HEIF_BRANDS:
            return "HEIC"
        if brand in _AVIF_BRANDS:
            return "AVIF"
    for signature, name in _KNOWN_OTHERS:
        if head.startswith(signature):
            return name
    return ""


def _formats_message() -> str:
    return _("Please upload a photo in JPEG, PNG or WebP format.")


def _damaged() -> PhotoInvalid:
    return PhotoInvalid(
        _("This photo is damaged or incomplete. Please try uploading it again."), field=FIELD
    )


def _refuse_unreadable(data: bytes) -> PhotoInvalid:
    other = _other_format(data[:32])
    if other == "HEIC":
        message = _(
            "HEIC photos (the iPhone's own format) can't be used here. %(formats)s "
            "A screenshot of the photo works too."
        ) % {"formats": _formats_message()}
    elif other:
        message = _("%(format)s files can't be used here. %(formats)s") % {
            "format": other,
            "formats": _formats_message(),
        }
    elif data.startswith(_OWN_SIGNATURES) or (data[:4] == b"RIFF" and data[8:12] == b"WEBP"):
        return _damaged()
    else:
        message = _("This file is not a photo. %(formats)s") % {"formats": _formats_message()}
    return PhotoInvalid(message, field=FIELD)


def _read(upload, max_bytes: int) -> bytes:
    too_big = _("This photo is too large (%(size)s). Photos can be up to %(limit)s each.")
    size = getattr(upload, "size", None)
    if size is not None and size > max_bytes:
        raise PhotoInvalid(
            too_big % {"size": filesizeformat(size), "limit": filesizeformat(max_bytes)},
            field=FIELD,
        )
    upload.seek(0)
    data = upload.read(max_bytes + 1)  # the declared size is not trusted alone
    if len(data) > max_bytes:
        raise PhotoInvalid(
            too_big % {"size": filesizeformat(max_bytes + 1), "limit": filesizeformat(max_bytes)},
            field=FIELD,
        )
    if not data:
        raise PhotoInvalid(_("This file is empty. Please choose a photo."), field=FIELD)
    return data


def _refuse_pixels(data: bytes) -> PhotoInvalid:
    limit = MAX_PIXELS["JPEG" if data.startswith(b"\xff\xd8") else "PNG"]
    return PhotoInvalid(
        _(
            "This photo has too many pixels. Please upload one of at most %(megapixels)s "
            "megapixels, or a smaller copy of it."
        )
        % {"megapixels": limit // 1_000_000},
        field=FIELD,
    )


def _decode(data: bytes) -> Image.Image:
    """Open, verify and fully decode; every failure is the file's fault, so every one
    becomes a ``PhotoInvalid``. Pillow's parsers raise a zoo of exceptions on crafted or
    broken files (OSError, ValueError, SyntaxError, struct.error, EOFError, …), hence the
    broad catches.

    Decompression bombs: our ``MAX_PIXELS`` are below Pillow's warning threshold
    (``Image.MAX_IMAGE_PIXELS``, 89.5 million), so every size Pillow would only warn
    about is refused here from the header, before any decoding; sizes past twice that
    make Pillow raise ``DecompressionBombError`` while opening. Turning the warning into
    an error with ``warnings.catch_warnings`` would do the same but changes process-wide
    state, which threads serving other requests would see."""
    try:
        with Image.open(io.BytesIO(data), formats=ACCEPTED) as probe:
            probe.verify()  # checksums and structure, for the formats that have them
        image = Image.open(io.BytesIO(data), formats=ACCEPTED)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _refuse_pixels(data) from None
    except Exception:
        raise _refuse_unreadable(data) from None
    width, height = image.size
    if image.format not in MAX_PIXELS or width < 1 or height < 1:
        raise _refuse_unreadable(data)  # `formats=` already keeps the others out
    if width * height > MAX_PIXELS[image.format]:
        raise _refuse_pixels(data)
    try:
        if image.format in ("JPEG", "MPO"):
            # Decode at the smallest of 1/1…1/8 that still covers the kept size.
            scale = MAX_SIDE / max(width, height)
            if scale < 1:
                image.draft(None, (round(width * scale), round(height * scale)))
        image.load()
    except Exception:
        raise _damaged() from None
    return image


def _has_alpha(image: Image.Image) -> bool:
    """Whether any pixel is see-through (an alpha channel that is all opaque, as many
    screenshots have, does not count)."""
    if image.mode not in ("RGBA", "LA", "PA") and "transparency" not in image.info:
        return False
    alpha = image.convert("RGBA").getchannel("A")
    return alpha.getextrema()[0] < 255


def photo_clean(upload, *, max_bytes: int | None = None) -> CleanPhoto:
    """Check one uploaded photo and return a clean copy to store, or raise
    ``PhotoInvalid`` (``field="photos"``) saying what is wrong. Refused: empty files, more
    than ``max_bytes`` (default ``settings.RETURNS_PHOTO_MAX_BYTES``, else 8 MiB), anything
    that is not a JPEG, PNG or WebP Pillow decodes in full, and more pixels than
    ``MAX_PIXELS`` allows. Kept: the pixels, turned as the camera's orientation tag says
    and shrunk to ``MAX_SIDE`` on the long side; written as PNG when some pixels are
    see-through, else as JPEG (quality 85), with no metadata at all. Reads the upload
    once; touches no storage or database."""
    if max_bytes is None:
        max_bytes = getattr(settings, "RETURNS_PHOTO_MAX_BYTES", DEFAULT_MAX_BYTES)
    data = _read(upload, max_bytes)
    image = _decode(data)
    try:
        # Phones store the sensor's pixels and an EXIF tag saying how to turn them.
        upright = ImageOps.exif_transpose(image)
    except Exception:
        upright = image  # a broken EXIF block: keep the pixels as stored
    upright.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS)

    if _has_alpha(upright):
        pixels, fmt, content_type, extension = upright.convert("RGBA"), "PNG", "image/png", "png"
    else:
        mode = "L" if upright.mode in ("1", "L", "LA", "I", "I;16", "F") else "RGB"
        if upright.mode.startswith(("I", "F")):
            # 16-bit and float greyscale would clip to white on a plain convert.
            upright = upright.point(lambda v: v / 256).convert("L")
        pixels, fmt, content_type, extension = upright.convert(mode), "JPEG", "image/jpeg", "jpg"

    # A new image from the raw pixels carries no info dict at all, so no save option can
    # bring EXIF, XMP, ICC or text chunks back by default.
    bare = Image.frombytes(pixels.mode, pixels.size, pixels.tobytes())
    out = io.BytesIO()
    if fmt == "JPEG":
        bare.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    else:
        bare.save(out, "PNG")
    return CleanPhoto(
        content=out.getvalue(),
        content_type=content_type,
        extension=extension,
        width=bare.width,
        height=bare.height,
    )
