"""Maps domain errors to canonical gRPC status codes; the only place that knows both."""
from __future__ import annotations

import functools
import inspect
import logging

import grpc

from adapt_server.errors import AdaptError

log = logging.getLogger("adapt.api")


def grpc_code(name: str) -> grpc.StatusCode:
    return getattr(grpc.StatusCode, name, grpc.StatusCode.INTERNAL)


def handle_errors(method):
    """Wraps a unary or server-streaming aio servicer method: AdaptError -> its status code and message;
    anything unexpected -> INTERNAL with the exception's type and text (and a logged traceback)."""
    if inspect.isasyncgenfunction(method):
        @functools.wraps(method)
        async def stream_wrapper(self, request, context):
            try:
                async for item in method(self, request, context):
                    yield item
            except AdaptError as exc:
                await context.abort(grpc_code(exc.code), exc.message)
            except (grpc.aio.AbortError, grpc.RpcError):
                raise
            except Exception as exc:
                log.exception("%s failed", method.__name__)
                await context.abort(grpc.StatusCode.INTERNAL, f"{type(exc).__name__}: {exc}")
        return stream_wrapper

    @functools.wraps(method)
    async def unary_wrapper(self, request, context):
        try:
            return await method(self, request, context)
        except AdaptError as exc:
            await context.abort(grpc_code(exc.code), exc.message)
        except (grpc.aio.AbortError, grpc.RpcError):
            raise
        except Exception as exc:
            log.exception("%s failed", method.__name__)
            await context.abort(grpc.StatusCode.INTERNAL, f"{type(exc).__name__}: {exc}")
    return unary_wrapper
