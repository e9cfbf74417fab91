"""encode_image: upright, sRGB, metadata-free WebP inside 1920 px plus a 480 px thumbnail."""

from __future__ import annotations

import struct
from pathlib import Path

import pytest
from PIL import Image

from encoder.media import EncodedMedia, MediaError, UnsupportedMedia, encode, encode_image
from tests.media_factory import (
    BLUE,
    CAMERA_MAKE,
    CAMERA_MODEL,
    GREY,
    RED,
    XMP_MARK,
    corner_colours,
    is_close,
    swapped_primaries_icc,
)

GREEN = (0, 255, 0)


def webp_chunks(path: Path) -> list[str]:
    """FourCCs of the chunks inside a WebP's RIFF container."""
    data = path.read_bytes()
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP", data[:16]
    chunks, offset = [], 12
    while offset + 8 <= len(data):
        kind, size = struct.unpack("<4sI", data[offset : offset + 8])
        chunks.append(kind.decode("latin-1"))
        offset += 8 + size + (size & 1)
    return chunks


def assert_no_metadata(path: Path) -> None:
    assert set(webp_chunks(path)) <= {"VP8 ", "VP8L", "VP8X", "ALPH"}, webp_chunks(path)
    with Image.open(path) as img:
        assert not img.getexif(), dict(img.getexif())
        assert not {"exif", "xmp", "icc_profile"} & set(img.info), img.info.keys()
    data = path.read_bytes()
    for secret in (CAMERA_MAKE, CAMERA_MODEL, XMP_MARK, "Exif", "GPS"):
        assert secret.encode() not in data, secret


def assert_marks_upright(img: Image.Image) -> None:
    corners = corner_colours(img)
    assert is_close(corners["top_left"], RED), corners
    assert is_close(corners["bottom_right"], BLUE), corners
    assert is_close(corners["top_right"], GREY), corners
    assert is_close(corners["bottom_left"], GREY), corners


@pytest.fixture(scope="module")
def encoded_phone_photo(
    phone_photo: Path, tmp_path_factory: pytest.TempPathFactory
) -> EncodedMedia:
    return encode_image(phone_photo, tmp_path_factory.mktemp("phone"))


def test_phone_photo_is_turned_upright(encoded_phone_photo: EncodedMedia) -> None:
    with Image.open(encoded_phone_photo.main_path) as img:
        assert img.size == (1440, 1920)  # portrait, as the phone was held
        assert_marks_upright(img)
    with Image.open(encoded_phone_photo.thumb_path) as thumb:
        assert_marks_upright(thumb)


def test_phone_photo_fits_1920_and_thumb_fits_480(encoded_phone_photo: EncodedMedia) -> None:
    result = encoded_phone_photo

    assert (result.width, result.height) == (1440, 1920)
    assert (result.kind, result.mime_type, result.thumb_mime_type) == (
        "image",
        "image/webp",
        "image/webp",
    )
    assert result.byte_size == result.main_path.stat().st_size
    with Image.open(result.thumb_path) as thumb:
        assert thumb.format == "WEBP" and thumb.size == (360, 480)


def test_phone_photo_outputs_carry_no_exif_gps_or_xmp(
    phone_photo: Path, encoded_phone_photo: EncodedMedia
) -> None:
    source = phone_photo.read_bytes()
    assert CAMERA_MAKE.encode() in source and XMP_MARK.encode() in source  # they were there

    assert_no_metadata(encoded_phone_photo.main_path)
    assert_no_metadata(encoded_phone_photo.thumb_path)


def test_output_names_do_not_depend_on_input_name(encoded_phone_photo: EncodedMedia) -> None:
    assert encoded_phone_photo.main_path.name == "image.webp"
    assert encoded_phone_photo.thumb_path.name == "thumb.webp"


def test_small_photo_is_not_upscaled(small_photo: Path, tmp_path: Path) -> None:
    result = encode_image(small_photo, tmp_path)

    assert (result.width, result.height) == (640, 480)
    with Image.open(result.thumb_path) as thumb:
        assert thumb.size == (480, 360)


def test_png_alpha_is_kept(png_with_alpha: Path, tmp_path: Path) -> None:
    result = encode_image(png_with_alpha, tmp_path)

    with Image.open(result.main_path) as img:
        assert img.format == "WEBP" and img.mode == "RGBA"
        assert img.getpixel((400, 100))[3] == 0  # transparent ground
        assert img.getpixel((400, 300))[3] == pytest.approx(128, abs=8)  # half-transparent band
        assert img.getpixel((10, 10)) == pytest.approx((*RED, 255), abs=8)
    with Image.open(result.thumb_path) as thumb:
        assert thumb.mode == "RGBA"


def test_rgba_png_that_is_fully_opaque_loses_the_alpha_channel(
    opaque_rgba_png: Path, tmp_path: Path
) -> None:
    with Image.open(encode_image(opaque_rgba_png, tmp_path).main_path) as img:
        assert img.mode == "RGB"


def test_embedded_icc_profile_is_converted_to_srgb(icc_tagged_jpeg: Path, tmp_path: Path) -> None:
    # Stored red under a profile whose first primary is sRGB green: honoured, it is green.
    with Image.open(encode_image(icc_tagged_jpeg, tmp_path).main_path) as img:
        centre = img.getpixel((img.width // 2, img.height // 2))
        assert is_close(centre, GREEN, tolerance=12), centre
        assert "icc_profile" not in img.info


def test_icc_conversion_keeps_alpha(tmp_path: Path) -> None:
    source = tmp_path / "tagged.png"
    img = Image.new("RGBA", (100, 80), (255, 0, 0, 255))
    img.paste((0, 0, 0, 0), (50, 0, 100, 80))
    img.save(source, icc_profile=swapped_primaries_icc())

    with Image.open(encode_image(source, tmp_path / "out").main_path) as out:
        assert out.mode == "RGBA"
        assert is_close(out.getpixel((10, 10)), (*GREEN, 255), tolerance=12)
        assert out.getpixel((80, 10))[3] == 0


def test_cmyk_jpeg_becomes_rgb_with_right_colours(cmyk_jpeg: Path, tmp_path: Path) -> None:
    with Image.open(encode_image(cmyk_jpeg, tmp_path).main_path) as img:
        assert img.mode == "RGB"
        assert is_close(img.getpixel((160, 120)), (255, 0, 0), tolerance=12)


def test_16_bit_grey_png_keeps_its_tones(grey16_png: Path, tmp_path: Path) -> None:
    with Image.open(encode_image(grey16_png, tmp_path).main_path) as img:
        assert is_close(img.getpixel((40, 120)), (64, 64, 64), tolerance=6)
        assert is_close(img.getpixel((280, 120)), (192, 192, 192), tolerance=6)


def test_heic_photo_is_decoded_upright_without_metadata(heic_photo: Path, tmp_path: Path) -> None:
    result = encode_image(heic_photo, tmp_path)

    assert (result.width, result.height) == (600, 800)
    with Image.open(result.main_path) as img:
        assert_marks_upright(img)
    assert_no_metadata(result.main_path)


@pytest.mark.parametrize("fixture", ["webp_photo", "still_gif"])
def test_other_still_formats_encode_to_clean_webp(
    request: pytest.FixtureRequest, fixture: str, tmp_path: Path
) -> None:
    result = encode_image(request.getfixturevalue(fixture), tmp_path)

    with Image.open(result.main_path) as img:
        assert_marks_upright(img)
    assert_no_metadata(result.main_path)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_decompression_bomb_is_refused_with_a_clear_reason(
    decompression_bomb_png: Path, tmp_path: Path
) -> None:
    with pytest.raises(MediaError) as caught:
        encode_image(decompression_bomb_png, tmp_path)

    assert "larger than the 89 megapixels" in caught.value.reason
    assert not any(tmp_path.iterdir())


def test_truncated_jpeg_raises_media_error(truncated_jpeg: Path, tmp_path: Path) -> None:
    with pytest.raises(MediaError) as caught:
        encode_image(truncated_jpeg, tmp_path)

    assert "damaged or incomplete" in caught.value.reason
    assert "truncated" in caught.value.detail


def test_text_named_jpg_is_unsupported(text_named_jpg: Path, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedMedia) as caught:
        encode(text_named_jpg, tmp_path)

    assert caught.value.reason.startswith("This file is not an image or video we can read")
    assert "plain text" in caught.value.reason


def test_encode_dispatches_still_image(small_photo: Path, tmp_path: Path) -> None:
    assert encode(small_photo, tmp_path / "out").kind == "image"
