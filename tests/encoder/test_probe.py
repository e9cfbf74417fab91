"""sniff, describe and probe: what a file is, decided from its bytes and headers."""

from __future__ import annotations

from pathlib import Path

import pytest

from encoder.media import MediaError, UnsupportedMedia, describe, probe, read_head, sniff

# -- sniff --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fixture", "container"),
    [
        ("phone_photo", "jpeg"),
        ("png_with_alpha", "png"),
        ("webp_photo", "webp"),
        ("animated_webp", "webp"),
        ("still_gif", "gif"),
        ("heic_photo", "heic"),
        ("small_video", "mp4"),
        ("mov_video", "mov"),
        ("webm_video", "webm"),
        ("mkv_video", "mkv"),
        ("corrupt_video", "mp4"),
        ("audio_only_m4a", "mp4"),
    ],
)
def test_sniff_names_container_of_generated_file(
    request: pytest.FixtureRequest, fixture: str, container: str
) -> None:
    path: Path = request.getfixturevalue(fixture)
    assert sniff(read_head(path)) == container


@pytest.mark.parametrize(
    ("head", "container"),
    [
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1heic", "heic"),
        (b"\x00\x00\x00\x18ftypavif\x00\x00\x00\x00avifmif1", None),
        (b"\x00\x00\x00\x18ftypmif1\x00\x00\x00\x00mif1avif", None),
        (b"\x00\x00\x00\x14ftyp3gp4\x00\x00\x00\x00isom", "mp4"),
        (b"\x00\x00\x00\x14ftypqt  \x00\x00\x02\x00qt  ", "mov"),
        (b"\x00\x00\x00\x08wide\x00\x00\x10\x00mdat", "mov"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01\x42\x82\x84webm", "webm"),
        (b"\x1a\x45\xdf\xa3\xa3\x42\x86\x81\x01\x42\x82\x88matroska", "mkv"),
        (b"%PDF-1.7\n", None),
        (b"", None),
    ],
)
def test_sniff_reads_brands_and_rejects_lookalikes(head: bytes, container: str | None) -> None:
    assert sniff(head) == container


@pytest.mark.parametrize(
    ("head", "words"),
    [
        (b"", "empty"),
        (b"Hello, this is a note.\n", "plain text"),
        ("Grüße aus Köln\n".encode(), "plain text"),
        (b"BMW drivers unite\n", "plain text"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n", "PDF"),
        (b"PK\x03\x04\x14\x00\x06\x00", "ZIP"),
        (b"\x7fELF\x02\x01\x01", "program"),
        (b"II*\x00\x08\x00\x00\x00", "TIFF"),
        (b"BM\x36\x00\x0c\x00\x00\x00\x00\x00", "BMP"),
        (b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg">', "SVG"),
        (b"#EXTM3U\n#EXT-X-VERSION:3\nhttp://example.invalid/a.ts\n", "playlist"),
        (b"\x00\x00\x00\x1cftypavif\x00\x00\x00\x00avifmif1miaf", "AVIF"),
        (bytes(range(200, 256)) * 10, "do not recognise"),
    ],
)
def test_describe_names_what_an_unsupported_file_looks_like(head: bytes, words: str) -> None:
    assert words in describe(head)


# -- probe: images ------------------------------------------------------------------------


def test_probe_phone_photo_reports_display_size_and_rotation(phone_photo: Path) -> None:
    info = probe(phone_photo)

    assert (info.kind, info.container) == ("image", "jpeg")
    assert (info.width, info.height) == (1800, 2400)  # stored 2400x1800, Orientation=6
    assert info.rotation == 90
    assert info.duration_s is None and not info.has_audio


def test_probe_heic_reports_upright_size(heic_photo: Path) -> None:
    info = probe(heic_photo)

    assert (info.kind, info.container) == ("image", "heic")
    assert (info.width, info.height) == (600, 800)


@pytest.mark.parametrize(
    ("fixture", "kind"),
    [("animated_gif", "animation"), ("animated_webp", "animation"), ("still_gif", "image")],
)
def test_probe_tells_animations_from_stills(
    request: pytest.FixtureRequest, fixture: str, kind: str
) -> None:
    assert probe(request.getfixturevalue(fixture)).kind == kind


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_probe_decompression_bomb_raises_media_error(decompression_bomb_png: Path) -> None:
    with pytest.raises(MediaError, match="megapixels") as caught:
        probe(decompression_bomb_png)

    assert "10000x10000" in caught.value.reason


def test_probe_text_named_jpg_is_unsupported(text_named_jpg: Path) -> None:
    with pytest.raises(UnsupportedMedia) as caught:
        probe(text_named_jpg)

    assert "plain text" in caught.value.reason


def test_probe_playlist_named_mp4_is_unsupported(tmp_path: Path) -> None:
    # A playlist would make ffmpeg fetch its entries; it must never reach ffmpeg.
    path = tmp_path / "clip.mp4"
    path.write_text("#EXTM3U\n#EXTINF:10,\nhttp://127.0.0.1:1/segment.ts\n")

    with pytest.raises(UnsupportedMedia, match="playlist"):
        probe(path)


def test_probe_truncated_jpeg_header_still_probes(truncated_jpeg: Path) -> None:
    # Probing reads headers only; the missing picture data is found when encoding.
    assert probe(truncated_jpeg).kind == "image"


# -- probe: videos ------------------------------------------------------------------------


def test_probe_landscape_video(small_video: Path) -> None:
    info = probe(small_video)

    assert (info.kind, info.container) == ("video", "mp4")
    assert (info.width, info.height, info.rotation) == (640, 360, 0)
    assert info.duration_s == pytest.approx(2.0, abs=0.1)
    assert info.has_audio and info.audio_channels == 2


def test_probe_portrait_phone_video_swaps_to_display_size(portrait_phone_video: Path) -> None:
    info = probe(portrait_phone_video)

    assert info.rotation == 90
    assert (info.width, info.height) == (1080, 1920)


def test_probe_silent_video_has_no_audio(silent_video: Path) -> None:
    info = probe(silent_video)

    assert info.kind == "video" and not info.has_audio and info.audio_channels == 0


@pytest.mark.parametrize(
    ("fixture", "container"),
    [("webm_video", "webm"), ("mov_video", "mov"), ("mkv_video", "mkv")],
)
def test_probe_other_containers(
    request: pytest.FixtureRequest, fixture: str, container: str
) -> None:
    info = probe(request.getfixturevalue(fixture))

    assert (info.kind, info.container) == ("video", container)
    assert (info.width, info.height) == (320, 240)
    assert info.has_audio


def test_probe_audio_only_file_is_unsupported(audio_only_m4a: Path) -> None:
    with pytest.raises(UnsupportedMedia, match="no picture"):
        probe(audio_only_m4a)


def test_probe_truncated_video_raises_media_error(truncated_video: Path) -> None:
    with pytest.raises(MediaError) as caught:
        probe(truncated_video)

    assert not isinstance(caught.value, UnsupportedMedia)
    assert "damaged or incomplete" in caught.value.reason
