"""Customers' photos: what is refused, and what is stored of what is accepted.

Images are made in memory with Pillow; crafted files (a bomb, a HEIC header) are built
byte by byte, so every case is a file a customer could really send.
"""

import io
import struct
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageCms
from PIL.PngImagePlugin import PngInfo

from returns.exceptions import PhotoInvalid, ReturnsError
from returns.uploads import MAX_SIDE, photo_clean

FORMATS = "JPEG, PNG or WebP"


def upload(content: bytes, name: str = "IMG_0001.jpg", content_type: str = "image/jpeg"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def encode(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, fmt, **options)
    return buffer.getvalue()


def two_halves(size=(300, 200)) -> Image.Image:
    """Left half red, right half blue: which way it was turned is visible."""
    image = Image.new("RGB", size, (220, 30, 30))
    image.paste((30, 30, 220), (size[0] // 2, 0, size[0], size[1]))
    return image


def srgb_profile() -> bytes:
    return ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()


def refusal(content: bytes, **kwargs) -> PhotoInvalid:
    with pytest.raises(PhotoInvalid) as caught:
        photo_clean(upload(content), **kwargs)
    assert caught.value.field == "photos"
    assert isinstance(caught.value, ReturnsError)
    return caught.value


def png_declaring(width: int, height: int) -> bytes:
    """A valid-looking PNG of a few hundred bytes whose header claims the given size."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)  # 8-bit RGB
    pixels = zlib.compress(b"\x00" * 1000)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# --- what is kept -----------------------------------------------------------------------


def test_phone_photo_is_turned_upright_and_loses_its_gps_position_and_other_metadata():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90° clockwise to view
    exif[0x010F] = "PhoneMaker"
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (41.0, 0.0, 30.0), 3: "E", 4: (29.0, 1.0, 2.0)})
    icc = srgb_profile()
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><secret>home</secret></x:xmpmeta>'
    original = encode(two_halves(), "JPEG", exif=exif.tobytes(), icc_profile=icc, xmp=xmp)
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)  # the input has GPS

    photo = photo_clean(upload(original))

    stored = Image.open(io.BytesIO(photo.content))
    assert (photo.content_type, photo.extension, stored.format) == ("image/jpeg", "jpg", "JPEG")
    assert (photo.width, photo.height) == stored.size == (200, 300)  # turned: was 300 wide
    # Turned clockwise, the red left half is now on top.
    red, blue = stored.getpixel((100, 40)), stored.getpixel((100, 260))
    assert red[0] > 180 > red[2] and blue[2] > 180 > blue[0]
    assert not stored.getexif()
    assert not {"exif", "icc_profile", "xmp"} & stored.info.keys()
    for trace in (b"Exif", b"PhoneMaker", b"secret", b"xmpmeta", b"ICC_PROFILE"):
        assert trace not in photo.content


def test_large_photo_is_shrunk_to_the_kept_size_keeping_its_shape():
    original = encode(Image.effect_noise((4032, 3024), 40).convert("RGB"), "JPEG", quality=90)

    photo = photo_clean(upload(original))

    assert (photo.width, photo.height) == (MAX_SIDE, 1500)
    assert Image.open(io.BytesIO(photo.content)).size == (MAX_SIDE, 1500)


def test_png_with_see_through_pixels_stays_png_with_its_transparency():
    image = Image.new("RGBA", (120, 80), (0, 0, 0, 0))
    image.paste((10, 200, 10, 255), (0, 0, 60, 80))
    info = PngInfo()
    info.add_text("Comment", "taken at home")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    original = encode(image, "PNG", pnginfo=info, exif=exif.tobytes(), icc_profile=srgb_profile())

    photo = photo_clean(upload(original, "scan.png", "image/png"))

    stored = Image.open(io.BytesIO(photo.content))
    assert (photo.content_type, photo.extension, stored.format) == ("image/png", "png", "PNG")
    assert stored.getpixel((100, 40))[3] == 0 and stored.getpixel((10, 40)) == (10, 200, 10, 255)
    assert not {"exif", "icc_profile"} & stored.info.keys()
    for trace in (b"taken at home", b"PhoneMaker", b"iCCP", b"eXIf"):
        assert trace not in photo.content


def test_opaque_png_and_webp_become_jpeg():
    for original, fmt in (
        (encode(Image.new("RGBA", (40, 30), (5, 6, 7, 255)), "PNG"), "png"),
        (encode(two_halves(), "WEBP"), "webp"),
    ):
        photo = photo_clean(upload(original, f"x.{fmt}", f"image/{fmt}"))
        assert photo.content_type == "image/jpeg", fmt


@pytest.mark.parametrize(
    ("image", "fmt", "expected"),
    [
        (Image.new("CMYK", (40, 30), (0, 255, 255, 0)), "JPEG", (255, 0, 0)),  # red in CMYK
        (Image.new("L", (40, 30), 90), "PNG", 90),
        (Image.new("I;16", (40, 30), 40000), "PNG", 40000 // 256),  # not clipped to white
        (Image.new("P", (40, 30), 3), "PNG", None),
    ],
    ids=["cmyk-jpeg", "grey-png", "16-bit-png", "palette-png"],
)
def test_less_common_colour_modes_are_stored_as_viewable_jpeg(image, fmt, expected):
    photo = photo_clean(upload(encode(image, fmt)))

    stored = Image.open(io.BytesIO(photo.content))
    assert stored.format == "JPEG" and stored.mode in ("RGB", "L")
    if isinstance(expected, tuple):
        assert all(
            abs(a - b) < 12 for a, b in zip(stored.getpixel((20, 15)), expected, strict=True)
        )
    elif expected is not None:
        assert abs(stored.getpixel((20, 15)) - expected) < 3


def test_multi_picture_jpeg_from_a_phone_is_accepted():
    main = two_halves((600, 400))
    original = encode(main, "MPO", save_all=True, append_images=[main.resize((60, 40))])
    assert Image.open(io.BytesIO(original)).format == "MPO"

    photo = photo_clean(upload(original))

    assert (photo.width, photo.height, photo.content_type) == (600, 400, "image/jpeg")


# --- what is refused --------------------------------------------------------------------


def test_text_file_named_like_a_photo_is_refused():
    error = refusal(b"Dear store, please refund me.\n" * 20)

    assert "not a photo" in error.message and FORMATS in error.message


def test_empty_file_is_refused():
    assert "empty" in refusal(b"").message


def test_photo_over_the_size_limit_is_refused_naming_the_limit():
    original = encode(Image.effect_noise((800, 600), 60).convert("RGB"), "JPEG", quality=95)

    error = refusal(original, max_bytes=len(original) - 1)

    assert "too large" in error.message


def test_size_limit_comes_from_the_setting(settings):
    original = encode(two_halves(), "JPEG")
    settings.RETURNS_PHOTO_MAX_BYTES = len(original) - 1

    assert "too large" in refusal(original).message
    settings.RETURNS_PHOTO_MAX_BYTES = len(original)
    assert photo_clean(upload(original)).width == 300


def test_truncated_jpeg_is_refused_as_damaged():
    original = encode(Image.effect_noise((600, 400), 60).convert("RGB"), "JPEG")

    error = refusal(original[: len(original) // 2])

    assert "damaged or incomplete" in error.message


def test_png_with_a_broken_checksum_is_refused_as_damaged():
    original = bytearray(encode(two_halves(), "PNG"))
    original[40] ^= 0xFF  # inside the first IDAT chunk

    assert "damaged or incomplete" in refusal(bytes(original)).message


def test_decompression_bomb_is_refused_before_decoding():
    bomb = png_declaring(30_000, 30_000)  # 900 megapixels in about a hundred bytes
    assert len(bomb) < 200

    assert "too many pixels" in refusal(bomb).message


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_sizes_pillow_would_only_warn_about_are_refused_too():
    assert "too many pixels" in refusal(png_declaring(10_000, 9_000)).message


def test_png_over_our_own_pixel_limit_is_refused():
    assert "too many pixels" in refusal(png_declaring(7_000, 4_000)).message


def test_gif_is_refused_with_the_formats_that_work():
    error = refusal(encode(Image.new("P", (20, 20)), "GIF"))

    assert "GIF" in error.message and FORMATS in error.message


def test_heic_is_refused_with_the_formats_that_work():
    # The first bytes of an iPhone photo: an ISO-BMFF 'ftyp' box with the 'heic' brand.
    heic = struct.pack(">I", 24) + b"ftypheic" + b"\x00\x00\x00\x00" + b"mif1heic" + b"\x00" * 64

    error = refusal(heic)

    assert "HEIC" in error.message and FORMATS in error.message


@pytest.mark.parametrize(
    "content",
    [
        b"\xff\xd8\xff",
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 30,
        b"RIFF\x10\x00\x00\x00WEBPVP8 ",
        b"\x00",
    ],
    ids=["jpeg-start-only", "png-signature-only", "webp-header-only", "one-byte"],
)
def test_fragments_are_refused_not_crashed_on(content):
    refusal(content)
