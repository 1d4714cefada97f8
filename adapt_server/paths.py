"""Local paths that a request names (a dataset source, a model to register), resolved and confined to the
directories the server was started with (`--source-root`, `--model-root`).

A uri is an absolute path, a file:// URI, or (with exactly one root) a path relative to that root. After
resolving symlinks it must lie inside one of the roots; `../../etc` or a symlink pointing out of the roots is
refused with PERMISSION_DENIED.
"""
from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlparse

from adapt_server.errors import InvalidArgument, NotFound, PermissionDenied


def resolve_local_path(where: str, uri: str, roots: tuple[Path, ...]) -> Path:
    """The real path of `uri`, checked to exist and to lie inside one of `roots`."""
    if not roots:
        raise PermissionDenied(f"{where}: this server has no --source-root, so it reads no local files; "
                               "restart it with --source-root DIR (repeatable)")
    raw_path = _path_from_uri(where, uri)
    if not raw_path.is_absolute():
        if len(roots) != 1:
            raise InvalidArgument(f"{where}.uri {uri!r} is relative but the server has {len(roots)} source "
                                  "roots; use an absolute path")
        raw_path = roots[0] / raw_path
    resolved = Path(os.path.realpath(raw_path))
    if not any(is_within(resolved, root) for root in roots):
        raise PermissionDenied(f"{where}.uri {uri!r} resolves to {resolved}, outside every source root "
                               f"({', '.join(map(str, roots))}); use a path inside one of them")
    if not resolved.exists():
        raise NotFound(f"{where}.uri {uri!r}: {resolved} does not exist")
    return resolved


def _path_from_uri(where: str, uri: str) -> Path:
    if "://" not in uri:
        return Path(uri).expanduser()
    parsed = urlparse(uri)
    if parsed.scheme != "file":
        raise InvalidArgument(f"{where}.uri {uri!r}: a local source takes a path or a file:// URI")
    if parsed.netloc not in ("", "localhost"):
        raise InvalidArgument(f"{where}.uri {uri!r}: file:// URIs must name this host (file:///path)")
    return Path(unquote(parsed.path))


def is_within(path: Path, root: Path) -> bool:
    return path == root or root in path.parents
