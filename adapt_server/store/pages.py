"""Opaque page tokens for keyset pagination over (created_at, id)."""
from __future__ import annotations

import base64
import json

from adapt_server.errors import InvalidArgument

DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 1000


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
