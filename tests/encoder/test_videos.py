"""encode_video: upright H.264/AAC MP4 with faststart, fitted, stripped, with a poster."""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

import psutil
import pytest
from PIL import Image

from encoder.media import (
    EncodedMedia,
    MediaError,
    UnsupportedMedia,
    encode,
    encode_video,
    probe,
    video_command,
)
from tests.media_factory import (
    BLUE,
    GREY,
    RED,
    corner_colours,
    cut_short_video,
    ffprobe,
    is_close,
    mp4_top_level_boxes,
    video_frame,
)


def streams(path: Path, kind: str) -> list[dict[str, Any]]:
    return [s for s in ffprobe(path)["streams"] if s["codec_type"] == kind]


def assert_web_ready_mp4(result: EncodedMedia) -> dict[str, Any]:
    """H.264 yuv420p, even size as reported, moov before mdat, no rotation left."""
    (video,) = streams(result.main_path, "video")
    assert video["codec_name"] == "h264"
    assert video["pix_fmt"] == "yuv420p"
    assert (video["width"], video["height"]) == (result.width, result.height)
    assert video["width"] % 2 == 0 and video["height"] % 2 == 0
    assert not video.get("side_data_list"), video.get("side_data_list")
    assert "rotate" not in video.get("tags", {})

    boxes = mp4_top_level_boxes(result.main_path)
    assert boxes.index("moov") < boxes.index("mdat"), boxes
    assert result.byte_size == result.main_path.stat().st_size
    assert result.mime_type == "video/mp4"
    return video


def assert_marks_upright(img: Image.Image) -> None:
    corners = corner_colours(img)
    assert is_close(corners["top_left"], RED), corners
    assert is_close(corners["bottom_right"], BLUE), corners
    assert is_close(corners["top_right"], GREY), corners
    assert is_close(corners["bottom_left"], GREY), corners


@pytest.fixture(scope="module")
def encoded_full_hd(full_hd_video: Path, tmp_path_factory: pytest.TempPathFactory) -> EncodedMedia:
    return encode_video(full_hd_video, tmp_path_factory.mktemp("full-hd"))


@pytest.fixture(scope="module")
def encoded_portrait(
    portrait_phone_video: Path, tmp_path_factory: pytest.TempPathFactory
) -> EncodedMedia:
    return encode_video(portrait_phone_video, tmp_path_factory.mktemp("portrait"))


# -- the 1080p clip -----------------------------------------------------------------------


def test_full_hd_clip_becomes_720p_h264_aac_with_faststart(encoded_full_hd: EncodedMedia) -> None:
    assert (encoded_full_hd.width, encoded_full_hd.height) == (1280, 720)
    assert_web_ready_mp4(encoded_full_hd)

    (audio,) = streams(encoded_full_hd.main_path, "audio")
    assert audio["codec_name"] == "aac" and audio["channels"] == 2
    assert encoded_full_hd.has_audio


def test_full_hd_clip_reports_duration_and_size(encoded_full_hd: EncodedMedia) -> None:
    assert encoded_full_hd.duration_s == pytest.approx(10.0, abs=0.1)
    assert encoded_full_hd.byte_size > 100_000
    assert encoded_full_hd.main_path.name == "media.mp4"


def test_full_hd_clip_poster_is_a_jpeg_of_the_video_size(encoded_full_hd: EncodedMedia) -> None:
    assert encoded_full_hd.thumb_path.name == "poster.jpg"
    assert encoded_full_hd.thumb_mime_type == "image/jpeg"
    with Image.open(encoded_full_hd.thumb_path) as poster:
        assert poster.format == "JPEG" and poster.size == (1280, 720)
        assert_marks_upright(poster)


def test_filming_location_and_other_metadata_are_dropped(
    full_hd_video: Path, encoded_full_hd: EncodedMedia
) -> None:
    assert "location" in ffprobe(full_hd_video)["format"].get("tags", {})  # it was there

    tags = ffprobe(encoded_full_hd.main_path)["format"].get("tags", {})
    assert not any("location" in key for key in tags), tags


# -- rotation -----------------------------------------------------------------------------


def test_portrait_phone_video_is_upright_in_stored_frames(
    portrait_phone_video: Path, encoded_portrait: EncodedMedia
) -> None:
    # The source's stored frames lie on their side; only its rotation tag fixes them.
    stored = video_frame(portrait_phone_video, autorotate=False)
    assert stored.size == (1920, 1080)
    assert not is_close(corner_colours(stored)["top_left"], RED)

    frame = video_frame(encoded_portrait.main_path, at_s=0.5, autorotate=False)
    assert frame.size == (720, 1280)
    assert_marks_upright(frame)


def test_portrait_phone_video_fits_portrait_box_without_rotation_tag(
    encoded_portrait: EncodedMedia,
) -> None:
    assert (encoded_portrait.width, encoded_portrait.height) == (720, 1280)
    assert_web_ready_mp4(encoded_portrait)
    with Image.open(encoded_portrait.thumb_path) as poster:
        assert poster.size == (720, 1280)
        assert_marks_upright(poster)


# -- sizes, sound and containers ----------------------------------------------------------


def test_small_video_is_not_upscaled(small_video: Path, tmp_path: Path) -> None:
    result = encode_video(small_video, tmp_path)

    assert (result.width, result.height) == (640, 360)
    assert_web_ready_mp4(result)


def test_odd_sized_video_gets_even_dimensions(odd_size_video: Path, tmp_path: Path) -> None:
    result = encode_video(odd_size_video, tmp_path)

    assert (result.width, result.height) == (320, 240)
    assert_web_ready_mp4(result)


def test_silent_video_stays_silent(silent_video: Path, tmp_path: Path) -> None:
    result = encode_video(silent_video, tmp_path)

    assert_web_ready_mp4(result)
    assert streams(result.main_path, "audio") == []
    assert not result.has_audio
    assert result.thumb_path.exists()


def test_surround_sound_is_mixed_down_to_stereo(surround_video: Path, tmp_path: Path) -> None:
    assert streams(surround_video, "audio")[0]["channels"] == 6

    result = encode_video(surround_video, tmp_path)

    (audio,) = streams(result.main_path, "audio")
    assert audio["codec_name"] == "aac" and audio["channels"] == 2


@pytest.mark.parametrize("fixture", ["webm_video", "mov_video", "mkv_video"])
def test_other_containers_become_mp4(
    request: pytest.FixtureRequest, fixture: str, tmp_path: Path
) -> None:
    result = encode(request.getfixturevalue(fixture), tmp_path)

    assert result.kind == "video"
    assert_web_ready_mp4(result)
    (audio,) = streams(result.main_path, "audio")
    assert audio["codec_name"] == "aac"
    assert result.duration_s == pytest.approx(1.0, abs=0.1)
    with Image.open(result.thumb_path) as poster:
        assert_marks_upright(poster)


def test_clip_shorter_than_poster_time_still_gets_a_poster(
    small_video: Path, tmp_path: Path
) -> None:
    # A probe that knows no duration puts the poster at 0 s; pretend it is 0.1 s long.
    info = probe(small_video)
    short = type(info)(**{**info.__dict__, "duration_s": 0.1})

    result = encode_video(small_video, tmp_path, info=short)

    with Image.open(result.thumb_path) as poster:
        assert poster.size == (640, 360)


# -- hostile and broken input -------------------------------------------------------------


def test_corrupt_video_raises_media_error_with_reason(corrupt_video: Path, tmp_path: Path) -> None:
    assert probe(corrupt_video).kind == "video"  # its headers are fine

    with pytest.raises(MediaError) as caught:
        encode_video(corrupt_video, tmp_path)

    assert not isinstance(caught.value, UnsupportedMedia)
    assert caught.value.reason.startswith("This video could not be decoded")
    assert caught.value.detail  # ffmpeg's own words, for the log


def test_image_passed_to_encode_video_is_refused(small_photo: Path, tmp_path: Path) -> None:
    with pytest.raises(UnsupportedMedia, match="not a video"):
        encode_video(small_photo, tmp_path)


def test_path_that_looks_like_an_option_or_url_is_read_as_a_file(
    small_video: Path, tmp_path: Path
) -> None:
    odd = tmp_path / "-i http:example.mp4"
    shutil.copy(small_video, odd)

    result = encode_video(odd, tmp_path / "out")

    assert result.width == 640


def test_command_reads_local_files_only_and_never_stdin(small_video: Path, tmp_path: Path) -> None:
    argv = video_command(small_video, tmp_path / "media.mp4", probe(small_video))

    assert argv[argv.index("-protocol_whitelist") + 1] == "file"
    assert argv.index("-protocol_whitelist") < argv.index("-i")
    assert argv[argv.index("-i") + 1] == f"file:{small_video.resolve()}"
    assert {"-nostdin", "-hide_banner"} <= set(argv)
    assert argv[argv.index("-loglevel") + 1] == "error"
    assert argv[argv.index("-movflags") + 1] == "+faststart"


def test_timeout_kills_ffmpeg_and_raises_media_error(full_hd_video: Path, tmp_path: Path) -> None:
    started = time.monotonic()

    with pytest.raises(MediaError) as caught:
        encode_video(full_hd_video, tmp_path, timeout_s=1.0)

    assert time.monotonic() - started < 3.0
    assert "took longer than" in caught.value.reason  # the probe or, usually, the encode
    children = [p.name() for p in psutil.Process().children(recursive=True)]
    assert "ffmpeg" not in children and "ffprobe" not in children


def test_encode_video_refuses_a_file_cut_short_instead_of_publishing_a_fragment(
    tmp_path: Path,
) -> None:
    source = cut_short_video(tmp_path)
    with pytest.raises(MediaError) as error:
        encode_video(source, tmp_path / "out")
    assert "incomplete" in error.value.reason
