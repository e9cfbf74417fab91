"""encode_animation: animated GIF/WebP to a silent, loopable H.264 MP4 plus a poster."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import psutil
import pytest
from PIL import Image

from encoder.media import MediaError, UnsupportedMedia, encode, encode_animation
from tests.media_factory import (
    ANIMATION_DELAYS_MS,
    BLUE,
    RED,
    animated_gif,
    corner_colours,
    ffprobe,
    is_close,
    mp4_top_level_boxes,
    video_frame,
)

WHITE = (255, 255, 255)


def video_stream(path: Path) -> dict[str, Any]:
    probed = ffprobe(path)
    assert [s["codec_type"] for s in probed["streams"]] == ["video"]  # and no audio
    return probed["streams"][0]


@pytest.mark.parametrize("fixture", ["animated_gif", "animated_webp"])
def test_animation_becomes_silent_h264_mp4_with_faststart(
    request: pytest.FixtureRequest, fixture: str, tmp_path: Path
) -> None:
    result = encode(request.getfixturevalue(fixture), tmp_path)

    assert (result.kind, result.mime_type) == ("animation", "video/mp4")
    video = video_stream(result.main_path)
    assert (video["codec_name"], video["pix_fmt"]) == ("h264", "yuv420p")
    assert (video["width"], video["height"]) == (result.width, result.height)
    assert result.width % 2 == 0 and result.height % 2 == 0
    boxes = mp4_top_level_boxes(result.main_path)
    assert boxes.index("moov") < boxes.index("mdat")


def test_gif_odd_size_is_rounded_down_to_even(animated_gif: Path, tmp_path: Path) -> None:
    result = encode_animation(animated_gif, tmp_path)

    assert (result.width, result.height) == (160, 120)  # from 161x121


@pytest.mark.parametrize("fixture", ["animated_gif", "animated_webp"])
def test_animation_keeps_its_full_length_including_last_frame(
    request: pytest.FixtureRequest, fixture: str, tmp_path: Path
) -> None:
    result = encode_animation(request.getfixturevalue(fixture), tmp_path)

    expected = sum(ANIMATION_DELAYS_MS) / 1000
    assert result.duration_s == pytest.approx(expected, abs=1 / 30)
    assert float(ffprobe(result.main_path)["format"]["duration"]) == pytest.approx(
        expected, abs=1 / 30
    )


def test_transparent_areas_become_white_and_marks_stay(animated_gif: Path, tmp_path: Path) -> None:
    result = encode_animation(animated_gif, tmp_path)

    corners = corner_colours(video_frame(result.main_path))
    assert is_close(corners["top_left"], RED), corners
    assert is_close(corners["bottom_right"], BLUE), corners
    assert is_close(corners["bottom_left"], WHITE), corners


def test_animation_poster_is_its_first_frame(animated_webp: Path, tmp_path: Path) -> None:
    result = encode_animation(animated_webp, tmp_path)

    assert result.thumb_path.name == "poster.jpg"
    with Image.open(result.thumb_path) as poster:
        assert poster.format == "JPEG" and poster.size == (result.width, result.height)
        assert is_close(corner_colours(poster)["top_left"], RED)


def test_tiny_gif_delays_play_at_browser_speed(tmp_path: Path) -> None:
    # Browsers show 0-10 ms frames for 100 ms; three such frames last 0.3 s.
    gif = animated_gif(tmp_path, delays_ms=(0, 10, 0))

    result = encode_animation(gif, tmp_path / "out")

    assert result.duration_s == pytest.approx(0.3, abs=1 / 30)


def test_still_image_passed_to_encode_animation_is_refused(
    small_photo: Path, tmp_path: Path
) -> None:
    with pytest.raises(UnsupportedMedia):
        encode_animation(small_photo, tmp_path)


def test_animation_timeout_kills_ffmpeg(tmp_path: Path) -> None:
    # 20 frames of a second each are 600 frames of 640x480 to pipe and encode: seconds.
    gif = animated_gif(tmp_path, width=640, height=480, delays_ms=(1000,) * 20)
    started = time.monotonic()

    with pytest.raises(MediaError, match="took longer than"):
        encode_animation(gif, tmp_path / "out", timeout_s=0.3)

    assert time.monotonic() - started < 3.0
    assert "ffmpeg" not in [p.name() for p in psutil.Process().children(recursive=True)]
