"""Generated media for the encoder tests, each made once per run (see tests/media_factory)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests import media_factory


@pytest.fixture(scope="session")
def encoder_media(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("encoder-media")


def _session_media(maker: Callable[[Path], Path]) -> Callable[..., Path]:
    @pytest.fixture(scope="session", name=maker.__name__)
    def fixture(encoder_media: Path) -> Path:
        return maker(encoder_media)

    fixture.__doc__ = maker.__doc__
    return fixture


phone_photo = _session_media(media_factory.phone_photo)
small_photo = _session_media(media_factory.small_photo)
png_with_alpha = _session_media(media_factory.png_with_alpha)
opaque_rgba_png = _session_media(media_factory.opaque_rgba_png)
grey16_png = _session_media(media_factory.grey16_png)
webp_photo = _session_media(media_factory.webp_photo)
still_gif = _session_media(media_factory.still_gif)
cmyk_jpeg = _session_media(media_factory.cmyk_jpeg)
icc_tagged_jpeg = _session_media(media_factory.icc_tagged_jpeg)
heic_photo = _session_media(media_factory.heic_photo)
decompression_bomb_png = _session_media(media_factory.decompression_bomb_png)
truncated_jpeg = _session_media(media_factory.truncated_jpeg)
text_named_jpg = _session_media(media_factory.text_named_jpg)
animated_gif = _session_media(media_factory.animated_gif)
animated_webp = _session_media(media_factory.animated_webp)
silent_video = _session_media(media_factory.silent_video)
portrait_phone_video = _session_media(media_factory.portrait_phone_video)
webm_video = _session_media(media_factory.webm_video)
mov_video = _session_media(media_factory.mov_video)
mkv_video = _session_media(media_factory.mkv_video)
odd_size_video = _session_media(media_factory.odd_size_video)
audio_only_m4a = _session_media(media_factory.audio_only_m4a)
corrupt_video = _session_media(media_factory.corrupt_video)
truncated_video = _session_media(media_factory.truncated_video)


@pytest.fixture(scope="session")
def small_video(encoder_media: Path) -> Path:
    """2 s 640x360 H.264 + AAC: the quick stand-in wherever size does not matter."""
    return media_factory.landscape_video(encoder_media, seconds=2, width=640, height=360)


@pytest.fixture(scope="session")
def surround_video(encoder_media: Path) -> Path:
    """1 s 320x240 with 5.1 AAC sound."""
    return media_factory.landscape_video(
        encoder_media, seconds=1, width=320, height=240, audio_channels=6
    )


@pytest.fixture(scope="session")
def full_hd_video(encoder_media: Path) -> Path:
    """The one big input: 10 s of 1080p H.264 + AAC, made once for the whole run."""
    return media_factory.landscape_video(encoder_media, seconds=10, width=1920, height=1080)
