/**
 * The gRPC transport of a client: Connect's gRPC protocol over node's http2, with the API key as
 * `authorization: Bearer KEY` metadata and optional TLS (root certificates, a client certificate and key for
 * mutual TLS); generated clients over it whose errors are typed AdaptErrors (unary and streaming alike).
 */
import type { DescService } from "@bufbuild/protobuf";
import { type Client, type Interceptor, type Transport, createClient } from "@connectrpc/connect";
import { Http2SessionManager, createGrpcTransport } from "@connectrpc/connect-node";
import type { SecureClientSessionOptions } from "node:http2";

import { toAdaptError } from "./errors.js";

/** PEM text or bytes. */
export type Pem = string | Uint8Array;

export interface TlsOptions {
  /** CA certificates that sign the server's certificate; default: node's bundled roots. */
  rootCerts?: Pem;
  /** The client certificate chain, for servers that require mutual TLS. */
  certChain?: Pem;
  /** The client certificate's private key. */
  privateKey?: Pem;
  /** The name checked against the server certificate, when it differs from the target's host. */
  serverName?: string;
}

export interface ClientOptions {
  /** "host:port" of the Adapt server, e.g. "localhost:50051". */
  target: string;
  /** Sent as "authorization: Bearer KEY" on every call (servers started with --api-key). */
  apiKey?: string;
  /** TLS: true for the default roots, or the certificates to use. Unset: plaintext. */
  tls?: boolean | TlsOptions;
  /** Deadline of unary calls in milliseconds (default 600000); streaming calls have none unless given. */
  timeoutMs?: number;
}

export const DEFAULT_TIMEOUT_MS = 600_000;

function apiKeyInterceptor(apiKey: string): Interceptor {
  return (next) => async (request) => {
    request.header.set("authorization", `Bearer ${apiKey}`);
    return next(request);
  };
}

async function* typedErrors<T>(messages: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* messages;
  } catch (error) {
    throw toAdaptError(error);
  }
}

type AnyCall = (...args: unknown[]) => unknown;

/**
 * Connect's generated client of `service`, except that every failure is an AdaptError subclass (unary calls
 * reject with it, streams throw it from the iteration). Not an interceptor: Connect re-wraps what interceptors
 * throw into a plain ConnectError.
 */
export function createTypedClient<T extends DescService>(service: T, transport: Transport): Client<T> {
  const client = createClient(service, transport) as unknown as Record<string, AnyCall>;
  const typed: Record<string, AnyCall> = {};
  for (const method of service.methods) {
    const call = client[method.localName]!;
    const returnsOne = method.methodKind === "unary" || method.methodKind === "client_streaming";
    typed[method.localName] = returnsOne
      ? async (...args) => {
        try {
          return await call(...args);
        } catch (error) {
          throw toAdaptError(error);
        }
      }
      : (...args) => typedErrors(call(...args) as AsyncIterable<unknown>);
  }
  return typed as unknown as Client<T>;
}

function tlsSessionOptions(tls: true | TlsOptions): SecureClientSessionOptions {
  if (tls === true) {
    return {};
  }
  const options: SecureClientSessionOptions = {};
  if (tls.rootCerts !== undefined) options.ca = toPem(tls.rootCerts);
  if (tls.certChain !== undefined) options.cert = toPem(tls.certChain);
  if (tls.privateKey !== undefined) options.key = toPem(tls.privateKey);
  if (tls.serverName !== undefined) options.servername = tls.serverName;
  if ((options.cert === undefined) !== (options.key === undefined)) {
    throw new TypeError("tls.certChain and tls.privateKey go together (mutual TLS needs both)");
  }
  return options;
}

function toPem(pem: Pem): string | Buffer {
  return typeof pem === "string" ? pem : Buffer.from(pem);
}

/** A transport and the HTTP/2 session it runs on (closed by AdaptClient.close()). */
export function openTransport(options: ClientOptions): { transport: Transport; session: Http2SessionManager } {
  if (!/^[^/\s]+:\d+$/.test(options.target)) {
    throw new TypeError(`target must be "host:port" (e.g. "localhost:50051"), got ${JSON.stringify(options.target)}`);
  }
  const baseUrl = `${options.tls ? "https" : "http"}://${options.target}`;
  const nodeOptions = options.tls ? tlsSessionOptions(options.tls) : {};
  const session = new Http2SessionManager(baseUrl, {}, nodeOptions);
  const interceptors: Interceptor[] = [];
  if (options.apiKey) {
    interceptors.push(apiKeyInterceptor(options.apiKey));
  }
  const grpc = createGrpcTransport({ baseUrl, sessionManager: session, nodeOptions, interceptors });
  const unaryTimeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const transport: Transport = {  // the default deadline for unary calls only: streams may run for hours
    unary: (method, signal, timeoutMs, header, input, contextValues) =>
      grpc.unary(method, signal, timeoutMs ?? unaryTimeoutMs, header, input, contextValues),
    stream: (method, signal, timeoutMs, header, input, contextValues) =>
      grpc.stream(method, signal, timeoutMs, header, input, contextValues),
  };
  return { transport, session };
}
