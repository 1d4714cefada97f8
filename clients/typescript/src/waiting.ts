/** Waiting for a long-running resource (dataset, evaluation, fine-tune) and walking paged lists. */
import type { Event } from "./gen/adapt/v1/common_pb.js";
import { State } from "./gen/adapt/v1/common_pb.js";
import { DeadlineExceededError, JobCancelledError, JobFailedError, UnavailableError, WaitTimeoutError } from "./errors.js";

export const TERMINAL_STATES: ReadonlySet<State> = new Set([State.SUCCEEDED, State.FAILED, State.CANCELLED]);
const RECONNECT_DELAY_MS = 500;

/** Per-call options every method takes: a deadline and an AbortSignal. */
export interface CallOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface WaitOptions {
  /** Give up after this many milliseconds (WaitTimeoutError). Unset: no limit. */
  timeoutMs?: number;
  /** Called with every progress event while waiting. */
  onEvent?: (event: Event) => void;
}

interface Waitable {
  state: State;
  error?: { code: string; message: string } | undefined;
}

/**
 * Follows `watch(id, afterSequence, timeoutMs)` until a terminal event, then returns `get(id)`. Survives a
 * server restart (reconnects and resumes after the last event seen). Throws JobFailedError / JobCancelledError
 * when the resource did not succeed and WaitTimeoutError when `timeoutMs` passes first.
 */
export async function waitUntilFinished<R extends Waitable>(
  kind: string,
  id: string,
  watch: (id: string, afterSequence: bigint, options: CallOptions) => AsyncIterable<Event>,
  get: (id: string, options: CallOptions) => Promise<R>,
  options: WaitOptions = {},
): Promise<R> {
  // One timer for the whole wait (not a deadline per call: Connect keeps the deadline timer of a stream left
  // early, which holds the process open until it fires).
  const deadline = options.timeoutMs === undefined ? undefined : Date.now() + options.timeoutMs;
  const controller = new AbortController();
  const timer = options.timeoutMs === undefined ? undefined : setTimeout(() => controller.abort(), options.timeoutMs);
  const tooLate = () => new WaitTimeoutError(`${kind} ${id} did not finish within ${options.timeoutMs} ms`);
  const expired = () => deadline !== undefined && Date.now() >= deadline;
  const call: CallOptions = { signal: controller.signal };
  let after = 0n;
  try {
    for (;;) {
      try {
        for await (const event of watch(id, after, call)) {
          after = event.sequence;
          options.onEvent?.(event);
          if (TERMINAL_STATES.has(event.state)) {
            break;
          }
        }
      } catch (error) {
        if (expired() || error instanceof DeadlineExceededError) throw tooLate();
        if (!(error instanceof UnavailableError)) throw error;
        await new Promise((resolve) => setTimeout(resolve, RECONNECT_DELAY_MS));
        continue;
      }
      let resource: R;
      try {
        resource = await get(id, call);
      } catch (error) {
        if (expired()) throw tooLate();
        throw error;
      }
      if (resource.state === State.FAILED) {
        throw new JobFailedError(id, resource, resource.error?.code ?? "UNKNOWN", resource.error?.message ?? "no reason given");
      }
      if (resource.state === State.CANCELLED) {
        throw new JobCancelledError(id, resource);
      }
      if (resource.state === State.SUCCEEDED) {
        return resource;
      }
      if (expired()) throw tooLate();
    }
  } finally {
    clearTimeout(timer);
  }
}

/** One page of a list call. */
export interface Page<T> {
  items: T[];
  /** Pass as pageToken to get the next page; "" on the last page. */
  nextPageToken: string;
}

/** Every item of a paged list, fetching pages of `pageSize` as the iteration goes. */
export async function* allPages<T>(fetch: (pageToken: string) => Promise<Page<T>>): AsyncGenerator<T> {
  let token = "";
  do {
    const page = await fetch(token);
    yield* page.items;
    token = page.nextPageToken;
  } while (token);
}
