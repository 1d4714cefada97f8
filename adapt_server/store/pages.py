"""Keyset pagination with opaque page tokens: one page of a query in key order, and the token of the next.

A token encodes the key of the last row of a page (default (created_at, id)); the next page starts after it,
so rows created meanwhile never shift a page. Tokens are opaque to clients: base64 of a JSON pair.
"""
from __future__ import annotations

import base64
import json
from collections.abc import Callable, Sequence

import sqlite_utils

from adapt_server.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000
CREATED_ORDER = ("created_at", "id")  # the default key: oldest first, ties by id


def page_size(requested: int) -> int:
    if requested < 0:
        raise InvalidArgument(f"page_size must be >= 0 (0 means the default, {DEFAULT_PAGE_SIZE}); got {requested}")
    return min(requested or DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE)


def encode_token(created_at: float, item_id: str) -> str:
    return base64.urlsafe_b64encode(json.dumps([created_at, item_id]).encode()).decode()


def decode_token(token: str) -> tuple[float, str] | None:
    """None for the first page; InvalidArgument for a token this server did not issue."""
    if not token:
        return None
    try:
        created_at, item_id = json.loads(base64.urlsafe_b64decode(token.encode()))
        return float(created_at), str(item_id)
    except Exception:
        raise InvalidArgument("page_token is not valid: pass the next_page_token of a previous "
                              "response unchanged, or leave it empty for the first page") from None


def requested_page(list_page: Callable[..., tuple[list, str]], requested_size: int, token: str, **filters):
    """A list use case: `list_page(size, after, **filters)` with the request's page_size and page_token checked."""
    return list_page(page_size(requested_size), decode_token(token), **filters)


def keyset_page(db: sqlite_utils.Database, select: str, size: int, after: tuple[float, str] | None,
                filters: Sequence[tuple[str, Sequence]] = (), keys: Sequence[str] = CREATED_ORDER,
                row_key: Callable = lambda row: (row["created_at"], row["id"])) -> tuple[list, str]:
    """One page of `select` (SELECT ... FROM ..., without WHERE or ORDER BY): (rows, next_page_token or '').

    filters: (SQL condition, its parameters) pairs, all required. keys: the one or two columns (SQL
    expressions) the rows are ordered by; `after` (a decoded token) is the key of the last row already sent.
    row_key(row) -> the key of a row, as the next token stores it.
    """
    conditions = [condition for condition, _ in filters]
    params = [value for _, values in filters for value in values]
    if after is not None:
        if len(keys) == 1:
            conditions.append(f"{keys[0]} > ?")
            params.append(after[0])
        else:
            conditions.append(f"({', '.join(keys)}) > (?, ?)")
            params += [after[0], after[1]]
    query = select + (" WHERE " + " AND ".join(conditions) if conditions else "")
    rows = db.execute(f"{query} ORDER BY {', '.join(keys)} LIMIT ?", params + [size + 1]).fetchall()
    token = encode_token(*row_key(rows[size - 1])) if len(rows) > size else ""
    return rows[:size], token
