"""CPU time and resident memory of a process, read from /proc (Linux)."""
from __future__ import annotations

import os
import time
from pathlib import Path

_TICKS = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds the process (all its threads, not its children) has used so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS  # utime, stime (fields 14 and 15 of stat)


def rss_bytes(pid: int) -> int:
    return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE


def cpu_used_between(pid: int, start_s: float, end_s: float, origin: float) -> float:
    """CPU seconds the process used from `origin + start_s` to `origin + end_s` (time.monotonic() clock);
    sleeps until then."""
    time.sleep(max(0.0, origin + start_s - time.monotonic()))
    before = cpu_seconds(pid)
    time.sleep(max(0.0, origin + end_s - time.monotonic()))
    return cpu_seconds(pid) - before
