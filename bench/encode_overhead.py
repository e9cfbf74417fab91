"""How much encode_video adds over running its ffmpeg command bare.

    .venv/bin/python bench/encode_overhead.py [--runs 9]

Makes (once, cached under ~/.cache/murmur/bench/) a 10 s 1080p H.264 + AAC clip, then
times, alternating so that drifting machine load hits both alike:

- bare: the argv from ``video_command(...)`` run directly (probe done beforehand);
- encode_video: the whole function, with its own probe, poster check and reading of the
  result's duration.

The product promises at most 5% of wall-clock time. Three figures are printed, because on
a shared two-core machine other people's work swings single runs by far more than 5%:
wall-clock medians; CPU-time medians (this process plus the tools it waited for); and
the time encode_video spends outside its ffmpeg run, over the bare median, which load
barely touches.
"""

from __future__ import annotations

import argparse
import logging
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from encoder.media import encode_video, probe, video_command  # noqa: E402
from tests.media_factory import landscape_video  # noqa: E402

CACHE_DIR = Path.home() / ".cache" / "murmur" / "bench"
PROMISE_PCT = 5.0


@dataclass(frozen=True)
class Sample:
    wall_s: float
    cpu_s: float
    """User + system time of this process and of the children it waited for."""
    outside_ffmpeg_s: float = 0.0
    """Wall time not spent in the ffmpeg encoding run itself (probe, checks, Python)."""


class _ToolTimes(logging.Handler):
    """Collects the run times encoder.ffmpeg logs at debug level ("%s finished in %.2f s")."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.ffmpeg_s: list[float] = []

    def emit(self, record: logging.LogRecord) -> None:
        args = record.args
        if isinstance(args, tuple) and len(args) == 2 and args[0] == "ffmpeg":
            self.ffmpeg_s.append(float(args[1]))  # type: ignore[arg-type]


def bench_clip() -> Path:
    """The 10 s 1080p clip, encoded the way a phone would (high profile, generous bitrate)."""
    clip = CACHE_DIR / "full_hd_10s.mp4"
    if clip.exists():
        return clip
    print("making the 10 s 1080p clip (once) ...", flush=True)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE_DIR) as tmp:
        made = landscape_video(Path(tmp), seconds=10, preset="veryfast", crf=18)
        shutil.move(made, clip)  # only a finished clip ever gets the cached name
    return clip


def measured(work: Callable[[], object]) -> Sample:
    before = _cpu_seconds()
    started = time.perf_counter()
    work()
    return Sample(time.perf_counter() - started, _cpu_seconds() - before)


def _cpu_seconds() -> float:
    total = 0.0
    for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN):
        usage = resource.getrusage(who)
        total += usage.ru_utime + usage.ru_stime
    return total


def run_alternating(src: Path, work: Path, runs: int) -> tuple[list[Sample], list[Sample]]:
    info = probe(src)
    bare_dir, wrapped_dir = work / "bare", work / "wrapped"
    bare_dir.mkdir()
    argv = video_command(src, bare_dir / "media.mp4", info, bare_dir / "poster.jpg")
    print(f"clip: {src} ({info.width}x{info.height}, {info.duration_s:.1f} s)")
    print("bare command:", " ".join(argv))

    tool_times = _ToolTimes()
    tool_logger = logging.getLogger("encoder.ffmpeg")
    tool_logger.addHandler(tool_times)
    tool_logger.setLevel(logging.DEBUG)

    def bare_run() -> Sample:
        return measured(lambda: subprocess.run(argv, check=True, stdin=subprocess.DEVNULL))

    def wrapped_run() -> Sample:
        sample = measured(lambda: encode_video(src, wrapped_dir))
        outside = sample.wall_s - tool_times.ffmpeg_s.pop()
        return Sample(sample.wall_s, sample.cpu_s, outside)

    bare_run()  # warm the page cache and the shared libraries, not counted
    bare: list[Sample] = []
    wrapped: list[Sample] = []
    for run in range(runs):
        # Alternate which goes first so neither always inherits the other's heat.
        if run % 2 == 0:
            bare.append(bare_run())
            wrapped.append(wrapped_run())
        else:
            wrapped.append(wrapped_run())
            bare.append(bare_run())
        print(
            f"run {run + 1}: bare {bare[-1].wall_s:.3f} s ({bare[-1].cpu_s:.3f} s cpu), "
            f"encode_video {wrapped[-1].wall_s:.3f} s ({wrapped[-1].cpu_s:.3f} s cpu, "
            f"{wrapped[-1].outside_ffmpeg_s:.3f} s outside ffmpeg)"
        )
    return bare, wrapped


def report(bare: list[Sample], wrapped: list[Sample]) -> float:
    """Prints the three figures; returns the wall-clock overhead in percent."""
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average at the end: {load} (on {os.cpu_count()} cores)")

    def median(samples: list[Sample], field: str) -> float:
        return statistics.median(getattr(sample, field) for sample in samples)

    overheads = {}
    for label, field in (("wall", "wall_s"), ("cpu", "cpu_s")):
        bare_s, wrapped_s = median(bare, field), median(wrapped, field)
        overheads[label] = (wrapped_s / bare_s - 1) * 100
        print(
            f"{label:>7}: median bare {bare_s:.3f} s, encode_video {wrapped_s:.3f} s, "
            f"overhead {overheads[label]:+.1f}%"
        )
    outside = median(wrapped, "outside_ffmpeg_s")
    print(
        f"outside: encode_video spends {outside:.3f} s (median) beyond its ffmpeg run, "
        f"{outside / median(bare, 'wall_s') * 100:.1f}% of the bare median"
    )
    print(f"promise: at most {PROMISE_PCT:.0f}% of wall-clock time")
    return overheads["wall"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=9, help="timed runs of each (default 9)")
    args = parser.parse_args()

    src = bench_clip()
    work = Path(tempfile.mkdtemp(prefix="murmur-bench-"))
    try:
        bare, wrapped = run_alternating(src, work, args.runs)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if report(bare, wrapped) <= PROMISE_PCT else 1


if __name__ == "__main__":
    sys.exit(main())
