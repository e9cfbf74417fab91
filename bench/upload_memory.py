"""How much a 500 MB upload grows the web process's resident memory.

Starts Murmur on the embedded defaults, uploads a real ~500 MB video through the HTTP API
while sampling the server's RSS, and prints the peak growth. Goal: at most 32 MB.

    .venv/bin/python bench/upload_memory.py
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.murmur_client import MurmurClient  # noqa: E402
from tests.servers import EmbeddedServer  # noqa: E402

CACHE = Path.home() / ".cache" / "murmur" / "bench"
TARGET_BYTES = 500 * 1024 * 1024


def big_video() -> Path:
    """A real H.264 MP4 of about 500 MB, made once and cached."""
    path = CACHE / "upload_500mb.mp4"
    if path.exists():
        return path
    CACHE.mkdir(parents=True, exist_ok=True)
    seconds = 40
    bitrate = TARGET_BYTES * 8 // seconds
    subprocess.run(
        ["ffmpeg", "-nostdin", "-loglevel", "error", "-y", "-f", "lavfi", "-i", "testsrc2=s=1920x1080:r=30",
         "-f", "lavfi", "-i", "anoisesrc=d=40", "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast",
         "-b:v", str(bitrate), "-minrate", str(bitrate), "-maxrate", str(bitrate), "-bufsize", str(bitrate),
         "-x264-params", "nal-hrd=cbr", "-c:a", "aac", str(path)],
        check=True,
    )  # fmt: skip
    return path


class PeakSampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.process = psutil.Process(pid)
        self.peak = self.process.memory_info().rss
        self.running = True

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.process.memory_info().rss)
            time.sleep(0.01)


async def main() -> None:
    video = big_video()
    with tempfile.TemporaryDirectory() as folder:
        server = EmbeddedServer(
            Path(folder), {"MURMUR_ENCODER_INLINE": "0", "MURMUR_LOG_LEVEL": "WARNING"}
        )
        server.start()
        try:
            assert server.process is not None
            client = MurmurClient(server.base_url)
            await client.sign_up()
            await client.upload(Path(__file__))  # warm every code path once (refused: text)
            baseline = psutil.Process(server.process.pid).memory_info().rss
            sampler = PeakSampler(server.process.pid)
            sampler.start()
            started = time.perf_counter()
            response = await client.upload(video)
            elapsed = time.perf_counter() - started
            sampler.running = False
            sampler.join()
            await client.close()
        finally:
            server.stop()

    growth = (sampler.peak - baseline) / 2**20
    print(
        f"upload: {video.stat().st_size / 2**20:.0f} MB in {elapsed:.1f} s -> HTTP {response.status_code}"
    )
    print(
        f"web process RSS: baseline {baseline / 2**20:.1f} MB, peak {sampler.peak / 2**20:.1f} MB"
    )
    print(
        f"growth during upload: {growth:.1f} MB (goal: at most 32 MB) -> {'OK' if growth <= 32 else 'OVER'}"
    )


if __name__ == "__main__":
    asyncio.run(main())
