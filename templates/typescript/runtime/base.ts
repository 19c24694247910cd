/**
 * What every generated `Client` method shares: its options, the retry loop, deadlines, the body
 * cap, logging and raw responses (the Python runtime's `_base_client.py`); requests are signed and
 * answers read by `rpc.ts`; they travel by `transport.ts`. No message, error or inspected object
 * shows a secret.
 */

import {
  ConnectionFailedError,
  InvalidArgumentError,
  InvalidResponseError,
  RequestTimeoutError,
  RootError,
} from "../errors.js";
import { API_VERSION, DEFAULT_SIGNATURE } from "../meta.js";
import { type Outcome, type RetryOptions, RetryPolicy } from "./retry.js";
import {
  type Answer,
  type Credentials,
  NOT_SENT,
  causeOf,
  interpret,
  outcomeOf,
  parseEndpoint,
  prepareRpc,
  resolveCredentials,
} from "./rpc.js";
import type { Agent } from "node:http";
import { flatten } from "./signing.js";
import { type Sender, TimedOut, fetchSender, nodeSender, sendWithin } from "./transport.js";
import { type ActionDesc, WireMismatch, fromWire, toWire } from "./wire.js";

export type { Credentials } from "./rpc.js";

/** Bytes of an answer's body the client reads at the most, by default (the service's are a few kB). */
export const MAX_BODY = 8 * 1024 * 1024;

export interface ClientOptions {
  /** Default: the environment variable ALIBABA_CLOUD_ACCESS_KEY_ID. */
  accessKeyId?: string;
  /** Default: the environment variable ALIBABA_CLOUD_ACCESS_KEY_SECRET. */
  accessKeySecret?: string;
  /** An STS token, for temporary credentials. Default: ALIBABA_CLOUD_SECURITY_TOKEN, if set. */
  securityToken?: string;
  /** A host, host:port or http(s) URL. Default: the product's endpoint environment variable, else the product's endpoint. */
  endpoint?: string;
  /** The scheme of an endpoint given without one. Default `https`. */
  protocol?: "https" | "http";
  /** `v3` (ACS3-HMAC-SHA256) or `v1` (HMAC-SHA1). */
  signatureVersion?: "v3" | "v1";
  /** How failed attempts are retried (see {@link RetryPolicy}). */
  retry?: RetryPolicy | RetryOptions;
  /** Seconds one attempt may take, answer included. Default 30. */
  timeout?: number;
  /** Seconds a whole call may take, retries and waits included. Default 60. */
  deadline?: number;
  /** Headers added to every request (signed under V3). */
  headers?: Readonly<Record<string, string>>;
  /** Bytes of an answer read at the most (default 8 MiB, at least 1024): a larger one is not read and throws `InvalidResponseError`. */
  maxBody?: number;
  /**
   * The `node:http` agent requests go through (an `https.Agent` for an https endpoint): a proxy
   * agent, your own TLS settings or pool. Default: keep-alive agents shared by every client.
   */
  agent?: Agent;
  /**
   * A `fetch` to send requests with instead of `node:http`: undici's with a dispatcher (a
   * `ProxyAgent`), an instrumented one, a test double.
   */
  fetch?: typeof fetch;
  /**
   * Where each attempt is told: one `debug` line per attempt, `info` when it is retried (`console`
   * will do). A line names the action, attempt, status, request id and time; never a URL, query,
   * header or credential. Default: nothing is logged.
   */
  logger?: Logger;
}

/** What `ClientOptions.logger` is called with: `console` and most loggers fit. */
export interface Logger {
  debug(message: string): void;
  info(message: string): void;
}

/** The HTTP answer a response was read from: `rawResponse(response)`. */
export interface RawResponse {
  readonly status: number;
  /** Header names lower-cased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
  /** Milliseconds the successful attempt took. */
  readonly elapsedMs: number;
  /** How many attempts the call took. */
  readonly attempts: number;
  readonly requestId: string | undefined;
}

const RAW = new WeakMap<object, RawResponse>();

/** The HTTP answer `response` (a value a `Client` method resolved to) was read from; else `undefined`. */
export function rawResponse(response: object): RawResponse | undefined {
  return RAW.get(response);
}

export interface CallOptions {
  /** Aborts the call: the promise rejects with the signal's reason, no retry. */
  signal?: AbortSignal;
  /** Seconds this call's attempts may take each (overrides the client's). */
  timeout?: number;
}

function bytes(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isSafeInteger(value) || value < 1024) {
    throw new InvalidArgumentError(`${name} must be a number of bytes of at least 1024, not ${String(value)}`);
  }
  return value;
}

function retryPolicy(value: RetryPolicy | RetryOptions | undefined): RetryPolicy {
  if (value instanceof RetryPolicy) return value;
  if (value !== undefined && (typeof value !== "object" || value === null || Array.isArray(value))) {
    throw new InvalidArgumentError(`retry must be a RetryPolicy or {maxAttempts, baseDelay, maxDelay}, not ${typeof value}`);
  }
  try {
    return new RetryPolicy(value);
  } catch (error) {
    throw error instanceof RangeError ? new InvalidArgumentError(error.message) : error;
  }
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const HEADER_TEXT = /^[\x20-\x7e]*$/;

/** Headers of one's own: valid names and printable ASCII values, none the client sets itself. */
function checkHeaders(value: Readonly<Record<string, string>> | undefined): Record<string, string> {
  if (value === undefined) return {};
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(`headers must be an object of names to values, not ${typeof value}`);
  }
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(value)) {
    if (!HEADER_NAME.test(name)) throw new InvalidArgumentError(`header name ${JSON.stringify(name)} is not a valid HTTP header name`);
    const lower = name.toLowerCase();
    if (["authorization", "host", "content-length"].includes(lower) || lower.startsWith("x-acs-signature")) {
      throw new InvalidArgumentError(`header ${JSON.stringify(name)} is set by the client itself`);
    }
    if (typeof text !== "string" || !HEADER_TEXT.test(text)) {
      throw new InvalidArgumentError(`the value of header ${JSON.stringify(name)} must be printable ASCII text`);
    }
    out[name] = text;
  }
  return out;
}

function seconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive number of seconds`);
  }
  return value;
}

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** What one attempt came to: a body and its answer, or an error and what it means for a retry. */
type Attempt =
  | { ok: true; body: Record<string, unknown>; answer: Answer; elapsedMs: number }
  | { ok: false; error: RootError; outcome: Outcome; retryAfter?: number | undefined };

export class BaseClient {
  /** How failed attempts are retried. */
  readonly retry: RetryPolicy;
  readonly #options: ClientOptions;
  readonly #credentials: Credentials;
  readonly #scheme: string;
  readonly #host: string;
  readonly #signatureVersion: "v3" | "v1";
  readonly #timeout: number;
  readonly #deadline: number;
  readonly #headers: Readonly<Record<string, string>>;
  readonly #maxBody: number;
  readonly #send: Sender;
  readonly #logger: Logger | undefined;

  constructor(options: ClientOptions = {}) {
    const signature = options.signatureVersion ?? DEFAULT_SIGNATURE;
    if (signature !== "v3" && signature !== "v1") {
      throw new InvalidArgumentError(`signatureVersion must be 'v3' or 'v1', not ${JSON.stringify(signature)}`);
    }
    if (options.fetch !== undefined && typeof options.fetch !== "function") {
      throw new InvalidArgumentError(`fetch must be a function, not ${typeof options.fetch}`);
    }
    if (options.agent !== undefined && (typeof options.agent !== "object" || options.agent === null)) {
      throw new InvalidArgumentError(`agent must be an http.Agent, not ${typeof options.agent}`);
    }
    if (options.agent !== undefined && options.fetch !== undefined) {
      throw new InvalidArgumentError("give agent or fetch, not both: a fetch brings its own connections");
    }
    this.#options = { ...options };
    this.#credentials = resolveCredentials(options);
    [this.#scheme, this.#host] = parseEndpoint(options.endpoint, options.protocol ?? "https");
    this.#signatureVersion = signature;
    this.#timeout = seconds("timeout", options.timeout, 30);
    this.#deadline = seconds("deadline", options.deadline, 60);
    this.#maxBody = bytes("maxBody", options.maxBody, MAX_BODY);
    this.retry = retryPolicy(options.retry);
    this.#headers = checkHeaders(options.headers);
    this.#send = options.fetch !== undefined ? fetchSender(options.fetch) : nodeSender(options.agent);
    if (options.logger !== undefined && (typeof options.logger?.debug !== "function" || typeof options.logger?.info !== "function")) {
      throw new InvalidArgumentError("logger must have debug and info methods");
    }
    this.#logger = options.logger;
  }

  /** The endpoint calls go to: `https://host[:port]`. */
  get endpoint(): string {
    return `${this.#scheme}://${this.#host}`;
  }

  /**
   * A client of the same class with these options changed and the others kept, such as
   * `client.withOptions({ deadline: 5, retry: { maxAttempts: 1 } }).cancelCall(...)`.
   */
  withOptions(options: ClientOptions): this {
    const Made = this.constructor as new (options: ClientOptions) => this;
    return new Made({ ...this.#options, ...options });
  }

  toString(): string {
    return `Client(endpoint=${this.endpoint}, accessKeyId=${this.#credentials.accessKeyId})`;
  }

  /** One call: check and encode the request, sign and send it, retry as the policy allows, decode the answer. */
  protected async invoke<R>(action: ActionDesc, request: object | undefined, options: CallOptions = {}): Promise<R> {
    let params: [string, string][];
    try {
      params = flatten(toWire(action, request as Record<string, unknown> | undefined));
    } catch (error) {
      if (error instanceof RootError) error.action = action.name;
      throw error;
    }
    const timeout = seconds("timeout", options.timeout, this.#timeout) * 1000;
    const deadlineAt = Date.now() + this.#deadline * 1000;
    for (let attempt = 1; ; attempt++) {
      const began = performance.now();
      const found = await this.#attempt(action.name, params, timeout, deadlineAt, options.signal);
      const ms = (performance.now() - began).toFixed(1);
      if (found.ok) {
        const requestId = found.body["RequestId"];
        this.#logger?.debug(`${action.name} attempt ${attempt}: HTTP ${found.answer.status}, request id ${String(requestId)}, ${ms} ms`);
        return this.#decode<R>(action, found, attempt);
      }
      const error = found.error;
      error.action = action.name;
      const wait = this.retry.delay(attempt, found.retryAfter) * 1000;
      const retry = this.retry.shouldRetry(found.outcome, attempt, action.idempotent) && Date.now() + wait < deadlineAt;
      const line =
        `${action.name} attempt ${attempt}: ${error.code ?? error.constructor.name} ` +
        `(HTTP ${error.httpStatus ?? "none"}, request id ${error.requestId ?? "none"}, ${ms} ms)`;
      if (!retry) {
        this.#logger?.debug(line);
        throw error;
      }
      this.#logger?.info(`${line}; retrying in ${(wait / 1000).toFixed(2)} s`);
      await sleep(wait, options.signal);
    }
  }

  #decode<R>(action: ActionDesc, found: Attempt & { ok: true }, attempts: number): R {
    const { answer } = found;
    const header = answer.headers.get("x-acs-request-id") ?? undefined;
    const requestId = String(found.body["RequestId"] ?? "") || header;
    let response: Record<string, unknown>;
    try {
      response = fromWire(action, found.body);
    } catch (error) {
      if (!(error instanceof WireMismatch)) throw error;
      throw new InvalidResponseError(`the answer does not match ${action.name}'s response: ${error.message}`, {
        httpStatus: answer.status,
        requestId,
        body: answer.body,
        action: action.name,
      });
    }
    const headers: Record<string, string> = {};
    answer.headers.forEach((value, name) => {
      headers[name.toLowerCase()] = value;
    });
    RAW.set(response, {
      status: answer.status,
      headers,
      body: answer.body,
      elapsedMs: found.elapsedMs,
      attempts,
      requestId: header,
    });
    return response as R;
  }

  async #attempt(
    action: string,
    params: ReadonlyArray<readonly [string, string]>,
    timeoutMs: number,
    deadlineAt: number,
    signal: AbortSignal | undefined,
  ): Promise<Attempt> {
    const prepared = prepareRpc({
      scheme: this.#scheme,
      host: this.#host,
      action,
      version: API_VERSION,
      params,
      credentials: this.#credentials,
      signatureVersion: this.#signatureVersion,
      headers: this.#headers,
    });
    const { host: _host, ...headers } = prepared.headers; // the transport sends the URL's host itself
    const limit = Math.max(0, Math.min(timeoutMs, deadlineAt - Date.now()));
    const began = performance.now();
    try {
      const exchange = await sendWithin(this.#send, { url: prepared.url, headers }, this.#maxBody, limit, signal);
      const requestId = exchange.headers.get("x-acs-request-id") ?? undefined;
      if (exchange.body === undefined) {
        const error = new InvalidResponseError(
          `the answer is larger than ${this.#maxBody} bytes (the client's maxBody); it was not read`,
          { httpStatus: exchange.status, requestId },
        );
        return { ok: false, error, outcome: "final" };
      }
      const answer: Answer = { status: exchange.status, headers: exchange.headers, body: new TextDecoder().decode(exchange.body) };
      const found = interpret(answer);
      if (!(found instanceof RootError)) return { ok: true, body: found, answer, elapsedMs: performance.now() - began };
      const retryAfter = Number(exchange.headers.get("x-acs-retry-after") ?? "");
      const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
      return { ok: false, error: found, outcome: outcomeOf(found), retryAfter: wait };
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (error instanceof TimedOut) {
        const error = new RequestTimeoutError(`no answer within ${(limit / 1000).toFixed(1)} s`);
        return { ok: false, error, outcome: "maybe-processed" };
      }
      const cause = causeOf(error);
      if (cause.code !== undefined && NOT_SENT.has(cause.code)) {
        const error = new ConnectionFailedError(`could not connect to ${this.#host}: ${cause.code}`);
        return { ok: false, error, outcome: "not-sent" };
      }
      // the code only: an error's text may quote a header, and headers carry credentials
      const failed = new ConnectionFailedError(`the connection to ${this.#host} failed: ${cause.code ?? cause.name}`);
      return { ok: false, error: failed, outcome: "maybe-processed" };
    }
  }
}
