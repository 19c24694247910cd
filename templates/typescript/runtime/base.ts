/**
 * What every generated `Client` method shares: configuration, credentials, request building and
 * signing, answer interpretation and the retry loop (the Python runtime's `_base_client.py`).
 * Built-in `fetch` and `node:crypto` only. No message, error or inspected object shows a secret.
 */

import { arch, platform } from "node:os";
import {
  ConnectionFailedError,
  CredentialsError,
  InvalidArgumentError,
  InvalidResponseError,
  RequestTimeoutError,
  RootError,
  errorFromBody,
} from "../errors.js";
import {
  API_VERSION,
  DEFAULT_ENDPOINT,
  DEFAULT_SIGNATURE,
  ENV_ACCESS_KEY_ID,
  ENV_ACCESS_KEY_SECRET,
  ENV_ENDPOINT,
  ENV_SECURITY_TOKEN,
  SDK_NAME,
  SDK_VERSION,
} from "../meta.js";
import { type Outcome, type RetryOptions, RetryPolicy } from "./retry.js";
import { encodeQuery, flatten, newNonce, signV1, signV3, utcTimestamp, v1Headers, v3Headers } from "./signing.js";
import { type ActionDesc, fromWire, toWire } from "./wire.js";

export const USER_AGENT = `${SDK_NAME}/${SDK_VERSION} (${platform()}; ${arch()}) Node.js/${process.versions.node}`;

const SAFE_HEADER_TEXT = /^[\x21-\x7e]+$/;
const MAX_BODY = 16 * 1024 * 1024;

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
}

export interface CallOptions {
  /** Aborts the call: the promise rejects with the signal's reason, no retry. */
  signal?: AbortSignal;
  /** Seconds this call's attempts may take each (overrides the client's). */
  timeout?: number;
}

/** An AccessKey pair, with an STS token when the pair is temporary. */
export interface Credentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string | undefined;
}

function checkCredential(name: string, value: unknown): string {
  if (typeof value !== "string") throw new CredentialsError(`${name} must be a string, not ${typeof value}`);
  if (!SAFE_HEADER_TEXT.test(value)) {
    throw new CredentialsError(
      `${name} contains spaces, line breaks or characters other than printable ASCII: check how it was copied (its value is not shown)`,
    );
  }
  return value;
}

function env(name: string): string | undefined {
  const value = process.env[name];
  return value ? value : undefined;
}

/** The given values, else the environment's; each checked (`CredentialsError`). */
export function resolveCredentials(options: ClientOptions): Credentials {
  const keyId = options.accessKeyId || env(ENV_ACCESS_KEY_ID);
  const secret = options.accessKeySecret || env(ENV_ACCESS_KEY_SECRET);
  const token = options.securityToken || env(ENV_SECURITY_TOKEN);
  const missing = [
    [ENV_ACCESS_KEY_ID, keyId],
    [ENV_ACCESS_KEY_SECRET, secret],
  ]
    .filter(([, value]) => !value)
    .map(([name]) => name);
  if (missing.length > 0) {
    throw new CredentialsError(`no credentials: pass accessKeyId and accessKeySecret, or set ${missing.join(" and ")}`);
  }
  return {
    accessKeyId: checkCredential("accessKeyId", keyId),
    accessKeySecret: checkCredential("accessKeySecret", secret),
    securityToken: token === undefined ? undefined : checkCredential("securityToken", token),
  };
}

/** `[scheme, host[:port]]` from a host, host:port or URL; a URL's scheme wins. */
export function parseEndpoint(endpoint: string | undefined, protocol: string): [string, string] {
  if (endpoint !== undefined && typeof endpoint !== "string") {
    throw new InvalidArgumentError(`endpoint must be a string, not ${typeof endpoint}`);
  }
  if (protocol !== "http" && protocol !== "https") {
    throw new InvalidArgumentError(`protocol must be 'https' or 'http', not ${JSON.stringify(protocol)}`);
  }
  const given = (endpoint || env(ENV_ENDPOINT) || DEFAULT_ENDPOINT).trim();
  if (given.includes("://")) {
    let url: URL;
    try {
      url = new URL(given);
    } catch {
      throw new InvalidArgumentError(`endpoint ${JSON.stringify(given)} is not an http(s) URL`);
    }
    if ((url.protocol !== "http:" && url.protocol !== "https:") || !url.host || url.username || url.password) {
      throw new InvalidArgumentError(`endpoint ${JSON.stringify(given)} is not an http(s) URL`);
    }
    return [url.protocol.slice(0, -1), url.host];
  }
  if (!given || /[ /?#@\r\n]/.test(given.replace(/\/+$/, ""))) {
    throw new InvalidArgumentError(`endpoint ${JSON.stringify(given)} is not a host[:port] or an http(s) URL`);
  }
  return [protocol, given.replace(/\/+$/, "")];
}

function seconds(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value <= 0) {
    throw new InvalidArgumentError(`${name} must be a positive number of seconds`);
  }
  return value;
}

/** A signed request, ready for `fetch`. */
export interface Prepared {
  url: string;
  headers: Record<string, string>;
}

export interface SignInput {
  scheme: string;
  host: string;
  action: string;
  version: string;
  params: ReadonlyArray<readonly [string, string]>;
  credentials: Credentials;
  signatureVersion: "v3" | "v1";
  headers?: Readonly<Record<string, string>>;
  timestamp?: string;
  nonce?: string;
  userAgent?: string;
}

/** A signed RPC request (POST, parameters in the query): a fresh nonce and timestamp unless given. */
export function prepareRpc(input: SignInput): Prepared {
  const timestamp = input.timestamp ?? utcTimestamp();
  const nonce = input.nonce ?? newNonce();
  const userAgent = input.userAgent ?? USER_AGENT;
  const creds = input.credentials;
  let query: ReadonlyArray<readonly [string, string]>;
  let headers: Record<string, string>;
  if (input.signatureVersion === "v1") {
    query = signV1({
      action: input.action,
      version: input.version,
      params: input.params,
      timestamp,
      nonce,
      accessKeyId: creds.accessKeyId,
      accessKeySecret: creds.accessKeySecret,
      securityToken: creds.securityToken,
    });
    headers = { ...v1Headers({ host: input.host, action: input.action, version: input.version, userAgent, securityToken: creds.securityToken }), ...input.headers };
  } else {
    query = input.params;
    headers = {
      ...v3Headers({
        host: input.host,
        action: input.action,
        version: input.version,
        timestamp,
        nonce,
        userAgent,
        accessKeyId: creds.accessKeyId,
        securityToken: creds.securityToken,
      }),
      ...input.headers,
    };
    headers["Authorization"] = signV3({
      method: "POST",
      host: input.host,
      pathname: "/",
      query,
      headers,
      accessKeyId: creds.accessKeyId,
      accessKeySecret: creds.accessKeySecret,
    });
  }
  const target = query.length > 0 ? `/?${encodeQuery(query)}` : "/";
  return { url: `${input.scheme}://${input.host}${target}`, headers };
}

interface Answer {
  status: number;
  headers: Headers;
  body: string;
}

/** The body of a successful answer, or the error it carries. */
export function interpret(answer: Answer): Record<string, unknown> | RootError {
  const requestId = answer.headers.get("x-acs-request-id") ?? undefined;
  const status = answer.status;
  if (status >= 300 && status < 400) {
    return new InvalidResponseError(`the service answered HTTP ${status}, a redirect: check the endpoint`, {
      httpStatus: status,
      requestId,
      body: answer.body,
    });
  }
  let body: unknown;
  let parsed = true;
  try {
    body = answer.body.trim() ? JSON.parse(answer.body) : undefined;
  } catch {
    parsed = false;
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    const snippet = answer.body.slice(0, 200).trim().replace(/\n/g, " ");
    const kind = parsed ? "a JSON body that is not an object" : "a body that is not JSON";
    const what = snippet ? `${kind}: ${JSON.stringify(snippet)}` : "an empty body";
    return new InvalidResponseError(`the service answered HTTP ${status} with ${what}`, {
      httpStatus: status,
      requestId,
      body: answer.body,
    });
  }
  const record = body as Record<string, unknown>;
  const code = record["Code"];
  if (status >= 400 || (code !== undefined && code !== null && code !== "OK")) {
    return errorFromBody(record, status, requestId);
  }
  if (!record["RequestId"]) {
    return new InvalidResponseError(
      `the service answered HTTP ${status} without a RequestId: not an answer of the service`,
      { httpStatus: status, requestId, body: answer.body },
    );
  }
  return record;
}

export function outcomeOf(error: RootError): Outcome {
  if (error.category === "throttling" && error.retryable) return "throttled";
  if ((error.httpStatus ?? 0) >= 500 || error.retryable) return "maybe-processed";
  return "final";
}

const NOT_SENT = new Set(["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT"]);

function causeOf(error: unknown): { code: string | undefined; text: string } {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const cause: unknown = (current as Error & { cause?: unknown }).cause;
    if (!(cause instanceof Error)) break;
    current = cause;
  }
  const code = (current as { code?: unknown } | undefined)?.code;
  const text = current instanceof Error ? current.message : String(current);
  return { code: typeof code === "string" ? code : undefined, text };
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

export class BaseClient {
  /** How failed attempts are retried. */
  readonly retry: RetryPolicy;
  readonly #credentials: Credentials;
  readonly #scheme: string;
  readonly #host: string;
  readonly #signatureVersion: "v3" | "v1";
  readonly #timeout: number;
  readonly #deadline: number;
  readonly #headers: Readonly<Record<string, string>>;

  constructor(options: ClientOptions = {}) {
    const signature = options.signatureVersion ?? DEFAULT_SIGNATURE;
    if (signature !== "v3" && signature !== "v1") {
      throw new InvalidArgumentError(`signatureVersion must be 'v3' or 'v1', not ${JSON.stringify(signature)}`);
    }
    this.#credentials = resolveCredentials(options);
    [this.#scheme, this.#host] = parseEndpoint(options.endpoint, options.protocol ?? "https");
    this.#signatureVersion = signature;
    this.#timeout = seconds("timeout", options.timeout, 30);
    this.#deadline = seconds("deadline", options.deadline, 60);
    this.retry = options.retry instanceof RetryPolicy ? options.retry : new RetryPolicy(options.retry);
    this.#headers = { ...options.headers };
  }

  /** The endpoint calls go to: `https://host[:port]`. */
  get endpoint(): string {
    return `${this.#scheme}://${this.#host}`;
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
      const [result, outcome, retryAfter] = await this.#attempt(action.name, params, timeout, deadlineAt, options.signal);
      if (!(result instanceof RootError)) return fromWire(action, result) as R;
      result.action = action.name;
      if (!this.retry.shouldRetry(outcome, attempt, action.idempotent)) throw result;
      const wait = this.retry.delay(attempt, retryAfter) * 1000;
      if (Date.now() + wait >= deadlineAt) throw result;
      await sleep(wait, options.signal);
    }
  }

  async #attempt(
    action: string,
    params: ReadonlyArray<readonly [string, string]>,
    timeoutMs: number,
    deadlineAt: number,
    signal: AbortSignal | undefined,
  ): Promise<[Record<string, unknown> | RootError, Outcome, number | undefined]> {
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
    const { host: _host, ...headers } = prepared.headers; // fetch sends the URL's host itself
    const controller = new AbortController();
    let timedOut = false;
    const limit = Math.max(0, Math.min(timeoutMs, deadlineAt - Date.now()));
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, limit);
    const onAbort = (): void => controller.abort();
    if (signal?.aborted) throw signal.reason;
    signal?.addEventListener("abort", onAbort, { once: true });
    let response: Response;
    let sent = false;
    try {
      response = await fetch(prepared.url, { method: "POST", headers, signal: controller.signal, redirect: "manual" });
      sent = true;
      const buffer = await response.arrayBuffer();
      if (buffer.byteLength > MAX_BODY) {
        return [new InvalidResponseError(`the answer is larger than ${MAX_BODY} bytes`, { httpStatus: response.status }), "final", undefined];
      }
      const answer: Answer = { status: response.status, headers: response.headers, body: new TextDecoder().decode(buffer) };
      const found = interpret(answer);
      const retryAfter = Number(response.headers.get("x-acs-retry-after") ?? "");
      const wait = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined;
      if (found instanceof RootError) return [found, outcomeOf(found), wait];
      return [found, "final", undefined];
    } catch (error) {
      if (signal?.aborted) throw signal.reason;
      if (timedOut) {
        return [new RequestTimeoutError(`no answer within ${(limit / 1000).toFixed(1)} s`), "maybe-processed", undefined];
      }
      const cause = causeOf(error);
      if (!sent && cause.code !== undefined && NOT_SENT.has(cause.code)) {
        return [new ConnectionFailedError(`could not connect to ${this.#host}: ${cause.code}`), "not-sent", undefined];
      }
      return [new ConnectionFailedError(`the connection to ${this.#host} failed: ${cause.code ?? cause.text}`), "maybe-processed", undefined];
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    }
  }
}
