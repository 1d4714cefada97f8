/**
 * Typed errors. Every error the server returns becomes an AdaptError subclass that carries the gRPC status
 * `code` (connect's Code enum: the gRPC numbers, e.g. Code.NotFound === 5), its canonical name
 * (`codeName`, e.g. "NOT_FOUND") and the server's message (`rawMessage`, which says what to fix).
 * The ConnectError it came from is its `cause`.
 */
import { Code, ConnectError } from "@connectrpc/connect";

export { Code };

/** "NotFound" -> "NOT_FOUND": the canonical gRPC status names (Code.Canceled is "CANCELLED"). */
export function codeName(code: Code): string {
  if (code === Code.Canceled) return "CANCELLED";
  return (Code[code] ?? "UNKNOWN").replace(/([a-z])([A-Z])/g, "$1_$2").toUpperCase();
}

export class AdaptError extends Error {
  /** The gRPC status code. */
  readonly code: Code;
  /** "NOT_FOUND", "INVALID_ARGUMENT", ... */
  readonly codeName: string;
  /** The server's message without the code in front: what to fix. */
  readonly rawMessage: string;
  /** Response headers and trailers of the failed call (empty for client-side errors). */
  readonly metadata: Headers;

  constructor(rawMessage: string, code: Code = Code.Unknown, options: { cause?: unknown; metadata?: Headers } = {}) {
    super(`${codeName(code)}: ${rawMessage}`, { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.codeName = codeName(code);
    this.rawMessage = rawMessage;
    this.metadata = options.metadata ?? new Headers();
  }
}

export class InvalidArgumentError extends AdaptError {}
export class NotFoundError extends AdaptError {}
export class AlreadyExistsError extends AdaptError {}
export class PermissionDeniedError extends AdaptError {}
export class FailedPreconditionError extends AdaptError {}
export class ResourceExhaustedError extends AdaptError {}
export class UnauthenticatedError extends AdaptError {}
export class UnavailableError extends AdaptError {}
export class UnimplementedError extends AdaptError {}
export class AbortedError extends AdaptError {}
export class DeadlineExceededError extends AdaptError {}
export class CanceledError extends AdaptError {}
export class InternalError extends AdaptError {}

/** wait() saw the resource end FAILED: `resource` is its final state, `code` the server's reason. */
export class JobFailedError<R = unknown> extends AdaptError {
  readonly resource: R;

  constructor(resourceId: string, resource: R, reasonCode: string, message: string) {
    super(`${resourceId} failed: ${message}`, codeFromName(reasonCode));
    this.resource = resource;
  }
}

/** wait() saw the resource end CANCELLED. */
export class JobCancelledError<R = unknown> extends AdaptError {
  readonly resource: R;

  constructor(resourceId: string, resource: R) {
    super(`${resourceId} was cancelled`, Code.Canceled);
    this.resource = resource;
  }
}

/** wait({ timeoutMs }) ran out before the resource finished. */
export class WaitTimeoutError extends AdaptError {
  constructor(message: string) {
    super(message, Code.DeadlineExceeded);
  }
}

type AdaptErrorClass = new (message: string, code: Code, options?: { cause?: unknown; metadata?: Headers }) => AdaptError;

const BY_CODE: Partial<Record<Code, AdaptErrorClass>> = {
  [Code.InvalidArgument]: InvalidArgumentError,
  [Code.OutOfRange]: InvalidArgumentError,
  [Code.NotFound]: NotFoundError,
  [Code.AlreadyExists]: AlreadyExistsError,
  [Code.PermissionDenied]: PermissionDeniedError,
  [Code.FailedPrecondition]: FailedPreconditionError,
  [Code.ResourceExhausted]: ResourceExhaustedError,
  [Code.Unauthenticated]: UnauthenticatedError,
  [Code.Unavailable]: UnavailableError,
  [Code.Unimplemented]: UnimplementedError,
  [Code.Aborted]: AbortedError,
  [Code.DeadlineExceeded]: DeadlineExceededError,
  [Code.Canceled]: CanceledError,
};

function codeFromName(name: string): Code {
  const key = Object.keys(Code).find((k) => isNaN(Number(k)) && codeName(Code[k as keyof typeof Code]) === name);
  return key === undefined ? Code.Unknown : Code[key as keyof typeof Code];
}

/** Any error thrown by a call -> the AdaptError subclass of its gRPC code (AdaptErrors pass through). */
export function toAdaptError(error: unknown): AdaptError {
  if (error instanceof AdaptError) {
    return error;
  }
  const connectError = ConnectError.from(error);
  const ErrorClass = BY_CODE[connectError.code] ?? InternalError;
  return new ErrorClass(connectError.rawMessage, connectError.code, { cause: error, metadata: connectError.metadata });
}
