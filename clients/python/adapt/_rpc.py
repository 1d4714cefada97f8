"""Calls a stub method with the client's metadata and turns grpc errors into typed AdaptErrors."""
from __future__ import annotations

from typing import Iterator

import grpc

from adapt.errors import from_rpc_error


class Rpc:
    def __init__(self, channel: grpc.Channel, api_key: str | None, timeout: float | None):
        self.channel = channel
        self.metadata = (("authorization", f"Bearer {api_key}"),) if api_key else ()
        self.timeout = timeout

    def unary(self, method, request, timeout: float | None = None):
        try:
            return method(request, metadata=self.metadata, timeout=timeout or self.timeout)
        except grpc.RpcError as exc:
            raise from_rpc_error(exc) from None

    def stream(self, method, request, timeout: float | None = None) -> Iterator:
        try:
            yield from method(request, metadata=self.metadata, timeout=timeout)
        except grpc.RpcError as exc:
            raise from_rpc_error(exc) from None
