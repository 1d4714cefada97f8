"""The gate every call passes (health checks aside): authenticate, authorize, bound, audit.

For each call, in this order, before a byte of the request is parsed:
1. **Authenticate** from the metadata (`authorization: Bearer <key>`) and the TLS session (a verified client
   certificate mapped to a project): a missing or bad key is UNAUTHENTICATED at once, for unknown methods too
   (they answer UNIMPLEMENTED only to callers the server accepts). The request body of a refused call is
   never read: the gate registers every method as client-streaming and reads the message itself, so a 60 MB
   message without a key costs the server nothing but the flow-control window. Refusals are logged as one
   rate-limited line, never a traceback per call.
2. **Authorize**: the method's one scope from adapt_server/security/methods.py (PERMISSION_DENIED names the
   missing scope). A method missing from that table is refused.
3. **Bound**: the method's largest request message (RESOURCE_EXHAUSTED), the caller's concurrent streams
   (RESOURCE_EXHAUSTED with a `retry-after-s` hint). A body that does not parse is INVALID_ARGUMENT.
4. Run the servicer with the caller bound (api/identity.py), then **audit** the outcome when the method is
   audited (security/audit.py): mutations, reads of content, and every refusal (those of unauthenticated
   callers rate-limited, so nobody can flood the log).
"""
from __future__ import annotations

import asyncio
import inspect
import logging
import math
import time
from collections.abc import AsyncIterator
from dataclasses import replace

import grpc

from adapt_server.api import identity
from adapt_server.api.status import abort_for
from adapt_server.config import Quotas
from adapt_server.errors import AdaptError, InvalidArgument, PermissionDenied, ResourceExhausted, Unauthenticated
from adapt_server.security.audit import event_fields
from adapt_server.security.bootstrap import TrustRuntime
from adapt_server.security.keys import NO_KEY, key_id_of
from adapt_server.security.methods import AUTHENTICATED, OPEN_PREFIXES, MethodPolicy, policy_of
from adapt_server.security.principal import Principal, anonymous

log = logging.getLogger("adapt.auth")
AUTHORIZATION = "authorization"
REFUSAL_LOG_INTERVAL_S = 10.0   # at most one log line per this many seconds about refused calls
UNAUTHENTICATED_AUDIT_RATE = 2.0   # audit rows per second for unauthenticated calls, sustained...
UNAUTHENTICATED_AUDIT_BURST = 50   # ...after a burst of this many; the rest are counted in one summary row
STREAM_RETRY_S = 5.0               # the retry hint when a caller has too many streams open
# fields that name the resource a call is about, tried in this order on the response, then on the request
RESOURCE_FIELDS = ("id", "dataset_id", "evaluation_id", "deployment_id", "model_id", "identity",
                   "recording.recording_id", "config.deployment_id", "config.model",
                   "config.recognition.deployment_id", "config.recognition.model")


class RefusalLog:
    """One WARNING line per interval about refused calls, with their count and the latest reason."""

    def __init__(self, interval_s: float = REFUSAL_LOG_INTERVAL_S):
        self.interval_s = interval_s
        self.count = 0
        self.last = -math.inf

    def refused(self, method: str, peer: str, reason: str) -> None:
        self.count += 1
        now = time.monotonic()
        if now - self.last >= self.interval_s:
            log.warning("refused %d call(s) without valid credentials since the last report; latest: %s from %s: "
                        "%s", self.count, method[:200], peer[:100], reason)
            self.count, self.last = 0, now


class TokenBucket:
    def __init__(self, rate: float, burst: int):
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), time.monotonic()

    def take(self) -> bool:
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return True
        return False


class StreamSlots:
    """Concurrent streaming calls per caller (api/identity.caller_of), at most `limit` each (0: no limit).
    Admission control of decoding work (server-wide and per caller) is separate; this bounds open streams."""

    def __init__(self, limit: int):
        self.limit = limit
        self.open: dict[str, int] = {}

    def acquire(self, caller: str) -> bool:
        if self.limit and self.open.get(caller, 0) >= self.limit:
            return False
        self.open[caller] = self.open.get(caller, 0) + 1
        return True

    def release(self, caller: str) -> None:
        left = self.open.get(caller, 1) - 1
        if left:
            self.open[caller] = left
        else:
            self.open.pop(caller, None)


class AuthInterceptor(grpc.aio.ServerInterceptor):
    def __init__(self, trust: TrustRuntime, quotas: Quotas):
        self.trust = trust
        self.streams = StreamSlots(quotas.max_streams_per_caller)
        self.refusals = RefusalLog()
        self.unauthenticated_audit = TokenBucket(UNAUTHENTICATED_AUDIT_RATE, UNAUTHENTICATED_AUDIT_BURST)
        self.unaudited = 0  # unauthenticated calls over the audit rate, not yet summarized

    async def intercept_service(self, continuation, details):
        method = details.method
        if method.startswith(OPEN_PREFIXES):
            return await continuation(details)
        handler = await continuation(details)
        call = _Call(self, method, policy_of(method), handler, tuple(details.invocation_metadata or ()))
        if handler is not None and handler.response_streaming:
            return grpc.stream_stream_rpc_method_handler(call.serve_stream,
                                                         response_serializer=handler.response_serializer)
        serializer = handler.response_serializer if handler else None
        return grpc.stream_unary_rpc_method_handler(call.serve_unary, response_serializer=serializer)

    # --- the audit log ------------------------------------------------------------------------------
    async def audit(self, principal: Principal | None, method: str, resource: str, code: str, peer: str,
                    detail: str = "", wait: bool = True, claimed_key_id: str = "") -> None:
        """claimed_key_id: the (public) key id of a key that was refused, for the record."""
        fields = event_fields(principal, method, resource, code, peer, detail)
        if principal is None and claimed_key_id:
            fields["key_id"] = claimed_key_id[:64]
        if principal is None:
            if not self.unauthenticated_audit.take():
                self.unaudited += 1
                return
            if self.unaudited:
                fields["detail"] = (f"{detail}; {self.unaudited} earlier unauthenticated call(s) over the audit rate "
                                    "were not recorded one by one")[:512]
                self.unaudited = 0
        if wait:
            await asyncio.to_thread(self.trust.audit.record, fields)
        else:  # the call was cancelled: record without awaiting
            asyncio.get_running_loop().run_in_executor(None, self.trust.audit.record, fields)


class _Call:
    """One call through the gate. The server reads requests as raw bytes; this parses them once admitted."""

    def __init__(self, gate: AuthInterceptor, method: str, policy: MethodPolicy | None, handler, metadata):
        self.gate = gate
        self.method = method
        self.policy = policy
        self.handler = handler
        self.metadata = metadata
        self.principal: Principal | None = None
        self.first_request = None
        self.stream_caller: str | None = None

    # --- the four shapes, served as client-streaming so that nothing is read before admission ---------
    async def serve_unary(self, request_iterator, context):
        request = await self._admitted(request_iterator, context)
        token = identity.bind(self.principal)
        try:
            if self.handler.request_streaming:
                response = await self.handler.stream_unary(request, context)
            else:
                response = await self.handler.unary_unary(request, context)
        except BaseException as exc:
            await self._finish(context, None, exc)
            raise
        finally:
            identity.unbind(token)
            self._release()
        await self._finish(context, response, None)
        return response

    async def serve_stream(self, request_iterator, context):
        request = await self._admitted(request_iterator, context)
        token = identity.bind(self.principal)
        try:
            behavior = self.handler.stream_stream if self.handler.request_streaming else self.handler.unary_stream
            result = behavior(request, context)
            if inspect.isasyncgen(result) or hasattr(result, "__aiter__"):
                async for item in result:
                    yield item
            else:
                await result  # a servicer that writes with context.write
        except BaseException as exc:
            await self._finish(context, None, exc)
            raise
        finally:
            identity.unbind(token)
            self._release()
        await self._finish(context, None, None)

    # --- admission ----------------------------------------------------------------------------------
    async def _admitted(self, request_iterator, context):
        try:
            return await self._admit(request_iterator, context)
        except BaseException:
            self._release()  # a stream slot taken before a later refusal
            raise

    async def _admit(self, request_iterator, context):
        """Authenticates, authorizes and bounds the call, then reads and parses its request (the first
        message; an iterator of parsed messages for client streams). Aborts the call on any refusal."""
        try:
            self.principal = await self._authenticate(context)
        except Unauthenticated as exc:
            await self._refuse(context, None, exc, exc.message)
        if self.handler is None:
            await self._refuse(context, self.principal, _Unimplemented(
                f"unknown method {self.method[:200]}: this server serves the adapt.v1 services (see proto/)"), "")
        if self.policy is None:
            await self._refuse(context, self.principal, PermissionDenied(
                f"{self.method} has no entry in the server's scope table; it is refused"), "method not in the table")
        if self.policy.scope != AUTHENTICATED and not self.principal.allows(self.policy.scope):
            await self._refuse(context, self.principal, PermissionDenied(self._missing(self.policy.scope)),
                               f"missing scope {self.policy.scope}")
        if self.policy.streaming:
            caller = identity.caller_of(context) if self.principal.identity == "anonymous" else self.principal.identity
            if not self.gate.streams.acquire(caller):
                await self._refuse(context, self.principal, ResourceExhausted(
                    f"{caller} has {self.gate.streams.limit} streaming calls open, its limit; close one and retry",
                    retry_after_s=STREAM_RETRY_S), "too many streams")
            self.stream_caller = caller
        if self.handler.request_streaming:
            return self._parsed(request_iterator)
        try:
            raw = await request_iterator.__anext__()
        except StopAsyncIteration:
            await self._refuse(context, self.principal, InvalidArgument("the call carried no request message"), "")
        try:
            request = self._parse(raw)
        except AdaptError as exc:
            await self._refuse(context, self.principal, exc, exc.message[:200])
        self.first_request = request
        for field, scope in self.policy.also:
            if request.HasField(field) and not self.principal.allows(scope):
                await self._refuse(context, self.principal, PermissionDenied(self._missing(scope, f"with {field} set")),
                                   f"missing scope {scope}")
        return request

    async def _authenticate(self, context) -> Principal:
        authenticator = self.gate.trust.authenticator
        names = _certificate_names(context)
        token = _bearer(self.metadata)
        if token is not None:
            principal = authenticator.cached(token) or await asyncio.to_thread(authenticator.from_token, token)
            return replace(principal, certificate=names[0]) if names else principal
        if names:
            principal = await asyncio.to_thread(authenticator.from_certificate, names)
            if principal is not None:
                return principal
        if authenticator.required:
            raise Unauthenticated(NO_KEY if not names else
                                  f"client certificate {names[0]!r} is not mapped to a project (`adapt keys "
                                  "map-cert`), and the call carried no API key")
        return anonymous(names[0] if names else "")

    def _missing(self, scope: str, when: str = "") -> str:
        method = self.method.lstrip("/")
        return (f"{self.principal.identity} (project {self.principal.project!r}) lacks scope {scope}, which {method} "
                f"needs{' ' + when if when else ''}; ask an admin for a key with it "
                f"(adapt keys create --scope {scope})")

    def _parse(self, raw: bytes):
        if len(raw) > self.policy.max_request_bytes:
            raise ResourceExhausted(f"the request message is {len(raw)} bytes; {self.method.lstrip('/')} accepts at "
                                    f"most {self.policy.max_request_bytes}")
        try:
            return self.handler.request_deserializer(raw) if self.handler.request_deserializer else raw
        except Exception:
            raise InvalidArgument(f"the request is not a valid message for {self.method.lstrip('/')}: send what "
                                  "its .proto declares") from None

    async def _parsed(self, raw_iterator) -> AsyncIterator:
        """The client stream's messages, parsed (size-checked) one by one."""
        async for raw in raw_iterator:
            message = self._parse(raw)
            if self.first_request is None:
                self.first_request = message
            yield message

    # --- the end of a call --------------------------------------------------------------------------
    async def _refuse(self, context, principal: Principal | None, exc: AdaptError, detail: str) -> None:
        """Records a refusal (audit, rate-limited log line for unauthenticated callers) and aborts."""
        peer = context.peer() or ""
        if principal is None:
            self.gate.refusals.refused(self.method, peer, exc.message)
        if principal is None or isinstance(exc, PermissionDenied) or self.policy is not None and self.policy.audited:
            token = _bearer_or_none(self.metadata)
            await self.gate.audit(principal, self.method, self._resource(None), exc.code, peer, detail,
                                  claimed_key_id=(key_id_of(token) or "") if token else "")
        await abort_for(exc, context, self.method)

    async def _finish(self, context, response, exc: BaseException | None) -> None:
        if not self.policy.audited:
            return
        cancelled = isinstance(exc, asyncio.CancelledError)
        code = "CANCELLED" if cancelled else _outcome(context, exc)
        await self.gate.audit(self.principal, self.method, self._resource(response), code, context.peer() or "",
                              wait=not cancelled)

    def _release(self) -> None:
        if self.stream_caller is not None:
            self.gate.streams.release(self.stream_caller)
            self.stream_caller = None

    def _resource(self, response) -> str:
        """The id the call created (the response's) or named (the request's): ids only, never content."""
        for message in (response, getattr(response, "key", None), self.first_request):
            if message is None or not hasattr(message, "DESCRIPTOR"):
                continue
            for path in RESOURCE_FIELDS:
                value = _field(message, path)
                if value:
                    return f"{message.recording.dataset_id}/{value}" if path.startswith("recording.") else value
        return ""


def _field(message, path: str) -> str:
    """The string at a dotted field path of a message ("" when a field on the way is absent or unset)."""
    for name in path.split("."):
        field = message.DESCRIPTOR.fields_by_name.get(name)
        if field is None:
            return ""
        if field.message_type is not None:
            repeated = field.is_repeated if hasattr(field, "is_repeated") else field.label == field.LABEL_REPEATED
            if repeated or not message.HasField(name):
                return ""
            message = getattr(message, name)
        else:
            value = getattr(message, name)
            return value if isinstance(value, str) else ""
    return ""


class _Unimplemented(AdaptError):
    code = "UNIMPLEMENTED"


def _bearer(metadata) -> str | None:
    """The key of `authorization: Bearer <key>`; None without the header; Unauthenticated when malformed."""
    values = [value for key, value in metadata if key == AUTHORIZATION]
    if not values:
        return None
    value = values[0] if isinstance(values[0], str) else values[0].decode("latin-1")
    scheme, _, key = value.partition(" ")
    if scheme.lower() != "bearer" or not key.strip() or len(values) > 1:
        raise Unauthenticated("the authorization header must be exactly one 'Bearer <key>'")
    return key.strip()


def _bearer_or_none(metadata) -> str | None:
    try:
        return _bearer(metadata)
    except Unauthenticated:
        return None


def _certificate_names(context) -> tuple[str, ...]:
    """The verified client certificate's subject alternative names, then its common name (TLS with
    --client-ca only; the handshake refused a certificate the CA did not sign)."""
    auth = context.auth_context() or {}
    if auth.get("transport_security_type") != [b"ssl"]:
        return ()
    names = [v.decode(errors="replace") for v in auth.get("x509_subject_alternative_name", [])]
    names += [v.decode(errors="replace") for v in auth.get("x509_common_name", [])]
    return tuple(dict.fromkeys(n for n in names if n))


def _outcome(context, exc: BaseException | None) -> str:
    """The status name a finished call ended with."""
    if isinstance(exc, AdaptError):
        return exc.code
    code = context.code()
    if isinstance(code, grpc.StatusCode):
        return code.name
    if exc is not None:
        return "INTERNAL"
    return "OK" if not code else str(code)
