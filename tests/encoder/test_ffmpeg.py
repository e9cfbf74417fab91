"""encoder.ffmpeg.run: a tool run with a wall-clock limit, its stdin fed, its errors kept."""

from __future__ import annotations

import time
from pathlib import Path
from typing import IO

import psutil
import pytest

from encoder import ffmpeg


def test_run_returns_stdout_of_a_successful_probe(small_video: Path) -> None:
    data = ffmpeg.probe_json(small_video, "mov", timeout_s=30)

    assert {s["codec_type"] for s in data["streams"]} == {"video", "audio"}


def test_failed_run_raises_tool_error_with_stderr(tmp_path: Path) -> None:
    missing = tmp_path / "nothing-here.mp4"

    with pytest.raises(ffmpeg.ToolError) as caught:
        ffmpeg.probe_json(missing, "mov", timeout_s=30)

    assert caught.value.returncode not in (0, None)
    assert "No such file" in caught.value.stderr


def test_demuxer_is_forced_so_a_file_cannot_choose_another(tmp_path: Path) -> None:
    # A concat list would make ffmpeg open other files; read as "mov" it is just junk.
    listing = tmp_path / "list.mp4"
    listing.write_text("ffconcat version 1.0\nfile '/etc/hostname'\n")

    with pytest.raises(ffmpeg.ToolError):
        ffmpeg.probe_json(listing, "mov", timeout_s=30)


def test_timeout_kills_the_process(full_hd_video: Path, tmp_path: Path) -> None:
    argv = [
        ffmpeg.FFMPEG, *ffmpeg.COMMON_FLAGS, "-y", *ffmpeg.input_args(full_hd_video, "mov"),
        "-c:v", "libx264", "-preset", "medium", "-f", "mp4", str(tmp_path / "slow.mp4"),
    ]  # fmt: skip
    started = time.monotonic()

    with pytest.raises(ffmpeg.ToolTimeout) as caught:
        ffmpeg.run(argv, timeout_s=0.5)

    assert time.monotonic() - started < 2.0
    assert caught.value.timeout_s == 0.5
    assert "ffmpeg" not in [p.name() for p in psutil.Process().children(recursive=True)]


def test_feed_writes_stdin_and_survives_a_tool_that_stops_reading(tmp_path: Path) -> None:
    written: list[int] = []

    def endless(stdin: IO[bytes]) -> None:
        chunk = bytes(64 * 48 * 3)
        while True:  # ends only through the broken pipe when ffmpeg is done
            stdin.write(chunk)
            written.append(len(chunk))

    argv = [
        ffmpeg.FFMPEG, *ffmpeg.COMMON_FLAGS, "-y", "-protocol_whitelist", "pipe",
        "-f", "rawvideo", "-pix_fmt", "rgb24", "-video_size", "64x48", "-i", "pipe:0",
        "-frames:v", "5", "-f", "image2", "-update", "1", str(tmp_path / "last.png"),
    ]  # fmt: skip

    ffmpeg.run(argv, timeout_s=30, feed=endless)

    assert (tmp_path / "last.png").exists()
    assert sum(written) >= 5 * 64 * 48 * 3


def test_missing_binary_is_unavailable_not_a_tool_error(tmp_path: Path) -> None:
    # Not a ToolError, so media code never mistakes a broken machine for a broken file.
    with pytest.raises(ffmpeg.ToolUnavailable, match="could not start"):
        ffmpeg.run([str(tmp_path / "no-such-ffmpeg"), "-version"], timeout_s=5)
