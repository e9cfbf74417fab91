"""Running ffmpeg and ffprobe as child processes with a wall-clock limit.

This module knows how to start the tools safely and how to stop them; what to ask them
for is decided in ``encoder.media``. Errors here are about the tool run (exit status,
timeout, missing binary) and carry its stderr, so the caller can turn them into a
sentence for the user while the log keeps the details.
"""

from __future__ import annotations

import json
import logging
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

logger = logging.getLogger(__name__)

FFMPEG = "ffmpeg"
FFPROBE = "ffprobe"

# Flags every run starts with: no banner and only real errors on stderr; ffmpeg also must
# not read our stdin (it would treat it as an interactive console). ffprobe never reads it.
PROBE_FLAGS = ["-hide_banner", "-loglevel", "error"]
COMMON_FLAGS = ["-nostdin", *PROBE_FLAGS]

# How much of a tool's stderr an error keeps: a corrupt file can make ffmpeg print one
# line per broken packet, and the last lines say what finally went wrong.
_STDERR_KEEP_CHARS = 2000


class ToolUnavailable(Exception):
    """The tool could not be started at all (not installed, not executable): a machine fault."""


class ToolError(Exception):
    """ffmpeg or ffprobe ran and failed, or was killed at its time limit."""

    def __init__(
        self, tool: str, returncode: int | None, stderr: str, message: str | None = None
    ) -> None:
        self.tool = tool
        self.returncode = returncode
        self.stderr = stderr
        super().__init__(
            message or f"{tool} exited with status {returncode}: {last_lines(stderr, 1)}"
        )


class ToolTimeout(ToolError):
    """The run went past its time limit and was killed."""

    def __init__(self, tool: str, timeout_s: float, stderr: str) -> None:
        super().__init__(tool, None, stderr, f"{tool} was killed at its limit of {timeout_s:.1f} s")
        self.timeout_s = timeout_s


@dataclass(frozen=True)
class Result:
    stdout: bytes
    stderr: str
    seconds: float


def input_args(path: Path, demuxer: str) -> list[str]:
    """Arguments that open ``path`` as a local file with the given demuxer, and nothing else.

    The demuxer is named rather than guessed so a file cannot talk ffmpeg into one that
    follows references (playlists, concat lists); the whitelist keeps every protocol but
    plain files away; the ``file:`` prefix stops a path being read as a protocol URL or,
    starting with a dash, as an option.
    """
    return ["-protocol_whitelist", "file", "-f", demuxer, "-i", file_url(path)]


def file_url(path: Path) -> str:
    return "file:" + str(path.resolve())


def last_lines(stderr: str, count: int = 3) -> str:
    """The last few distinct lines of a tool's stderr, joined: enough to say what failed."""
    distinct: list[str] = []
    for line in reversed(stderr.strip().splitlines()):
        line = line.strip()
        if line and line not in distinct:
            distinct.append(line)
        if len(distinct) == count:
            break
    return " | ".join(reversed(distinct)) or "(no message)"


def run(
    argv: Sequence[str],
    timeout_s: float,
    feed: Callable[[IO[bytes]], None] | None = None,
) -> Result:
    """Run a tool to completion within ``timeout_s`` seconds of wall-clock time.

    ``feed``, if given, writes the tool's standard input and runs in this thread while the
    tool works; it is stopped by a broken pipe if the tool dies or is killed. Output goes
    to temporary files rather than pipes so a chatty tool can never block on a full pipe.
    Raises ToolTimeout (after killing the process), ToolError or ToolUnavailable.
    """
    if timeout_s <= 0:
        raise ToolTimeout(argv[0], timeout_s, "no time left before starting")

    tool = Path(argv[0]).name
    started = time.monotonic()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        try:
            proc = subprocess.Popen(
                list(argv),
                stdin=subprocess.PIPE if feed else subprocess.DEVNULL,
                stdout=out,
                stderr=err,
            )
        except OSError as exc:
            raise ToolUnavailable(f"could not start {argv[0]}: {exc}") from exc

        killer = _Killer(proc, timeout_s)
        try:
            if feed is not None:
                _feed_stdin(proc, feed)
            returncode = proc.wait()
        finally:
            killer.cancel()
            if proc.poll() is None:
                # Only reached when the feed raised: do not leave the tool running.
                proc.kill()
                proc.wait()

        out.seek(0)
        stdout = out.read()
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")[-_STDERR_KEEP_CHARS:]

    seconds = time.monotonic() - started
    if killer.fired:
        logger.warning("%s killed after %.1f s (limit %.1f s)", tool, seconds, timeout_s)
        raise ToolTimeout(tool, timeout_s, stderr)
    if returncode != 0:
        raise ToolError(tool, returncode, stderr)
    logger.debug("%s finished in %.2f s", tool, seconds)
    return Result(stdout=stdout, stderr=stderr, seconds=seconds)


def probe_json(path: Path, demuxer: str, timeout_s: float) -> dict[str, Any]:
    """ffprobe's description of the container and its streams, read from headers only."""
    argv = [
        FFPROBE, *PROBE_FLAGS, *input_args(path, demuxer),
        "-print_format", "json", "-show_format", "-show_streams",
    ]  # fmt: skip
    result = run(argv, timeout_s)
    try:
        parsed = json.loads(result.stdout)
    except ValueError as exc:
        raise ToolError("ffprobe", 0, f"output is not JSON: {result.stdout[:200]!r}") from exc
    if not isinstance(parsed, dict):
        raise ToolError("ffprobe", 0, f"expected a JSON object, got {type(parsed).__name__}")
    return parsed


def _feed_stdin(proc: subprocess.Popen[bytes], feed: Callable[[IO[bytes]], None]) -> None:
    stdin = proc.stdin
    assert stdin is not None  # opened as a pipe whenever feed is given
    try:
        feed(stdin)
    except BrokenPipeError:
        # The tool stopped reading: killed on timeout or failed; its status tells which.
        pass
    finally:
        try:
            stdin.close()
        except BrokenPipeError:
            pass


class _Killer:
    """Kills one process when its time is up, unless cancelled first."""

    def __init__(self, proc: subprocess.Popen[bytes], timeout_s: float) -> None:
        self._proc = proc
        self.fired = False
        self._timer = threading.Timer(timeout_s, self._kill)
        self._timer.daemon = True
        self._timer.start()

    def _kill(self) -> None:
        if self._proc.poll() is None:
            self.fired = True
            self._proc.kill()

    def cancel(self) -> None:
        self._timer.cancel()
