"""Shard functions for the executor tests (run as function(node, task) by jobs/executor.py, on Ray workers too:
this module is importable there through the test cluster's Python path)."""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

from adapt_server.errors import InvalidArgument


def square(node, task):
    """task: (value, seconds to sleep first); returns (value squared, the pid that ran it)."""
    value, sleep_s = task
    time.sleep(sleep_s)
    return value * value, os.getpid()


def die_once(node, task):
    """Kills its own process the first time (a marker file remembers), then returns the task."""
    marker = Path(task)
    if not marker.exists():
        marker.write_text(str(os.getpid()))
        os.kill(os.getpid(), signal.SIGKILL)
    return "survived", os.getpid()


def always_die(node, task):
    os.kill(os.getpid(), signal.SIGKILL)


def refuse(node, task):
    raise InvalidArgument(f"shard {task} refuses: the input says what to fix")


def slow_then_mark(node, task):
    """Sleeps, then writes a file: a cancelled shard never writes it."""
    path, sleep_s = task
    Path(path + ".started").write_text(str(os.getpid()))
    time.sleep(sleep_s)
    Path(path).write_text("finished")
    return path


def blob_roundtrip(node, task):
    """Reads a blob through the node's store (its cache) and stores its bytes reversed; returns the new sha."""
    return node.blobs.put_bytes(node.blobs.path(task).read_bytes()[::-1])
