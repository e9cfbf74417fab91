"""Starting, finding and stopping the stack's background processes.

A service's pid file holds its pid and the process's start time from /proc, so a pid the
kernel has since handed to an unrelated program is never taken for the service. Processes
start in their own session, so they outlive the launcher and a terminal's hang-up.
"""

from __future__ import annotations

import os
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class PidRecord:
    pid: int
    start_ticks: int
    """Start time of the process in clock ticks since boot (field 22 of /proc/PID/stat)."""


def spawn(
    cmd: Sequence[str],
    *,
    log_path: Path,
    pid_path: Path,
    env: Mapping[str, str],
    cwd: Path,
) -> PidRecord:
    """Start a process detached from the launcher, its output appended to log_path."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    pid_path.parent.mkdir(parents=True, exist_ok=True)

    with open(log_path, "ab") as log:
        proc = subprocess.Popen(
            list(cmd),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env),
            cwd=cwd,
            start_new_session=True,
        )

    record = PidRecord(proc.pid, _start_ticks(proc.pid) or 0)
    pid_path.write_text(f"{record.pid} {record.start_ticks}\n")
    return record


def read_pid(pid_path: Path) -> PidRecord | None:
    """The recorded process if it is still the one that was started, else None."""
    try:
        pid_text, ticks_text = pid_path.read_text().split()
        record = PidRecord(int(pid_text), int(ticks_text))
    except (FileNotFoundError, ValueError):
        return None
    return record if is_running(record) else None


def is_running(record: PidRecord) -> bool:
    """True while the process exists, is not a zombie and is the one recorded."""
    _reap(record.pid)
    try:
        stat = Path(f"/proc/{record.pid}/stat").read_text()
    except (FileNotFoundError, ProcessLookupError):
        return False
    state, ticks = _parse_stat(stat)
    return state != "Z" and ticks == record.start_ticks


def send(record: PidRecord, sig: int) -> None:
    if is_running(record):
        try:
            os.kill(record.pid, sig)
        except ProcessLookupError:
            pass


def stop(
    record: PidRecord,
    *,
    timeout_s: float,
    request_stop: Callable[[], None] | None = None,
    sig: int = signal.SIGTERM,
) -> bool:
    """Ask the process to stop, then SIGKILL it after timeout_s; True if it stopped cleanly."""
    if request_stop is not None:
        request_stop()
    else:
        send(record, sig)

    if wait_until(lambda: not is_running(record), timeout_s):
        return True

    send(record, signal.SIGKILL)
    wait_until(lambda: not is_running(record), 10.0)
    return False


def wait_until(condition: Callable[[], bool], timeout_s: float, interval_s: float = 0.1) -> bool:
    """Poll condition until it holds or the deadline passes; True if it held."""
    deadline = time.monotonic() + timeout_s
    while True:
        if condition():
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(interval_s)


def tail(path: Path, lines: int = 30) -> str:
    """The last lines of a log, or a note that there is none."""
    try:
        with open(path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 64 * 1024))
            text = handle.read().decode("utf-8", "replace")
    except FileNotFoundError:
        return f"(no log at {path})"
    return "\n".join(text.splitlines()[-lines:])


def _reap(pid: int) -> None:
    # A child of this very process stays a zombie until waited for.
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        pass


def _start_ticks(pid: int) -> int | None:
    try:
        return _parse_stat(Path(f"/proc/{pid}/stat").read_text())[1]
    except FileNotFoundError:
        return None


def _parse_stat(stat: str) -> tuple[str, int]:
    # The command name in parentheses may hold spaces, so split after its closing one.
    fields = stat[stat.rindex(")") + 2 :].split()
    return fields[0], int(fields[19])
