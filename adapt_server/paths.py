"""Local paths that a request names (a dataset source, a model to register), resolved and confined to the
directories the server was started with (`--source-root`, `--model-root`).

A uri is an absolute path, a file:// URI, or (with exactly one root) a path relative to that root. After
resolving symlinks it must lie inside one of the roots; `../../etc` or a symlink pointing out of the roots is
refused with PERMISSION_DENIED.
"""
from __future__ import annotations

import errno
import io
import os
import stat
from pathlib import Path
from urllib.parse import unquote, urlparse

from adapt_server.errors import InvalidArgument, NotFound, PermissionDenied, echo


def resolve_local_path(where: str, uri: str, roots: tuple[Path, ...]) -> Path:
    """The real path of `uri`, checked to exist and to lie inside one of `roots`."""
    if not roots:
        raise PermissionDenied(f"{where}: this server has no --source-root, so it reads no local files; "
                               "restart it with --source-root DIR (repeatable)")
    raw_path = _path_from_uri(where, uri)
    if not raw_path.is_absolute():
        if len(roots) != 1:
            raise InvalidArgument(f"{where}.uri {echo(uri)} is relative but the server has {len(roots)} source "
                                  "roots; use an absolute path")
        raw_path = roots[0] / raw_path
    try:
        resolved = Path(os.path.realpath(raw_path))
        exists = resolved.exists()
    except OSError as exc:  # a name too long for the file system, a loop of links, ...
        raise InvalidArgument(f"{where}.uri {echo(uri)} cannot be resolved ({exc.strerror or exc}); send a real "
                              "path") from None
    if not any(is_within(resolved, root) for root in roots):
        raise PermissionDenied(f"{where}.uri {echo(uri)} resolves to {echo(str(resolved))}, outside every source root "
                               f"({', '.join(map(str, roots))}); use a path inside one of them")
    if not exists:
        raise NotFound(f"{where}.uri {echo(uri)}: {echo(str(resolved))} does not exist")
    return resolved


def _path_from_uri(where: str, uri: str) -> Path:
    if "\0" in uri or ("://" in uri and "\0" in unquote(uri)):  # os calls refuse a NUL (ValueError)
        raise InvalidArgument(f"{where}.uri contains a NUL character (\\0, or %00 in a file:// URI); a path "
                              "cannot hold one: send the path as plain text")
    if "://" not in uri:
        return Path(uri).expanduser()
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        raise InvalidArgument(f"{where}.uri {echo(uri)}: a local source takes a path or a file:// URI")
    if parsed.netloc not in ("", "localhost"):
        raise InvalidArgument(f"{where}.uri {echo(uri)}: file:// URIs must name this host (file:///path)")
    return Path(unquote(parsed.path))


def is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents


# ---------------------------------------------------------------------------------------------------- reading
# Files found inside a root (an audio file's sidecars, the audio itself) are read without trusting what the
# directory listing said: a sidecar may be a symlink to a secret, a FIFO that blocks a reader forever, or swapped
# for a link between the check and the read. `refusal` classifies a path without opening it (lstat); `open_confined`
# opens it without following a final symlink or blocking, checks the handle is a regular file, and re-checks the
# roots from the path the kernel opened (/proc/self/fd/N), so a swap after the check changes nothing.


class RefusedFile(OSError):
    """A file the server will not read; `reason` says why (it names the file's real target when relevant)."""

    def __init__(self, path: Path | str, reason: str):
        super().__init__(errno.EPERM, reason, str(path))
        self.path = str(path)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def refusal(path: Path, roots: tuple[Path, ...] | None) -> str | None:
    """Why `path` may not be read, or None when it may (FileNotFoundError when nothing is there). Never opens
    the file. A regular file is used as is; a symlink only when its resolved target is a regular file inside
    one of `roots` (None: any); anything else (a FIFO, a device, a socket, a directory) is refused."""
    info = os.lstat(path)
    if stat.S_ISREG(info.st_mode):
        return None
    if not stat.S_ISLNK(info.st_mode):
        return f"not a regular file ({_kind(info.st_mode)}); skipped"
    real = Path(os.path.realpath(path))
    if roots is not None and not any(is_within(real, root) for root in roots):
        return f"a symlink to {real}, outside every source root; skipped"
    try:
        target = os.stat(real)
    except OSError:
        return f"a symlink to {real}, which does not exist; skipped"
    if not stat.S_ISREG(target.st_mode):
        return f"a symlink to {real}, which is not a regular file ({_kind(target.st_mode)}); skipped"
    return None


def open_confined(path: Path | str, roots: tuple[Path, ...] | None) -> io.FileIO:
    """`path` opened for reading (a binary file object named `path`, closed by its owner), when it is a regular
    file whose real path lies inside one of `roots` (None: anywhere). Raises RefusedFile otherwise, without
    blocking on a FIFO or a device; FileNotFoundError when it is gone."""
    real = os.path.realpath(path)
    try:
        fd = os.open(real, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC | os.O_NOCTTY)
    except OSError as exc:
        if exc.errno == errno.ELOOP:  # became a symlink after realpath looked at it
            raise RefusedFile(path, "changed into a symlink while being opened; skipped") from None
        raise
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise RefusedFile(path, f"not a regular file ({_kind(info.st_mode)}); skipped")
        opened = Path(os.readlink(f"/proc/self/fd/{fd}")) if os.path.isdir("/proc/self/fd") else Path(real)
        if roots is not None and not any(is_within(opened, root) for root in roots):
            raise RefusedFile(path, f"resolves to {opened}, outside every source root; skipped")
        os.set_blocking(fd, True)
        handle = io.FileIO(fd, "rb", closefd=True)
    except BaseException:
        os.close(fd)
        raise
    handle.name = str(path)
    return handle


def read_confined(path: Path | str, roots: tuple[Path, ...] | None, max_bytes: int) -> bytes:
    """The bytes of `path`, opened with `open_confined`; RefusedFile when it holds more than max_bytes."""
    pieces, size = [], 0
    with open_confined(path, roots) as handle:
        while size <= max_bytes:
            piece = handle.read(max_bytes + 1 - size)
            if not piece:
                break
            pieces.append(piece)
            size += len(piece)
    data = b"".join(pieces)
    if len(data) > max_bytes:
        raise RefusedFile(path, f"larger than {max_bytes} bytes; skipped")
    return data


def _kind(mode: int) -> str:
    for test, name in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISCHR, "a character device"),
                       (stat.S_ISBLK, "a block device"), (stat.S_ISSOCK, "a socket"), (stat.S_ISDIR, "a directory")):
        if test(mode):
            return name
    return "not a regular file"
