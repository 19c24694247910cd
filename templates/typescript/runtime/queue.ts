/**
 * What a consumer's requests share: one HTTP exchange over built-in `fetch` with a deadline and a
 * body cap (its failures as the SDK's network errors), the queue's error answers as
 * {@link QueueError}s, and the token action's answer read as temporary credentials. No secret is
 * put in any message: a request's headers (Authorization, the security token) are sent, never
 * shown, and no error keeps the token action's answer, which holds the temporary secret.
 */

import { ConnectionFailedError, InvalidResponseError, RequestTimeoutError, RootError } from "../errors.js";
import { type Credentials, type HeaderMap, NOT_SENT, SAFE_HEADER_TEXT, causeOf, interpret } from "./rpc.js";
import { type Exchange, TimedOut, nodeSender, sendWithin } from "./transport.js";

const SEND = nodeSender(); // the shared keep-alive agents, as the client's
import * as mns from "./mns.js";

/** Bytes of an answer read at most. */
export const MAX_ANSWER = 8 * 1024 * 1024;

/** Queue error codes (and their `Code.Detail` forms) that new credentials may cure. */
export const AUTH_CODES: readonly string[] = [
  "AccessDenied",
  "InvalidAccessKeyId",
  "InvalidSecurityToken",
  "SecurityTokenExpired",
  "SignatureDoesNotMatch",
  "TimeExpired",
];

/** A request ready to send: `headers` hold the signature, so it is never shown. */
export interface Request {
  url: string;
  method: string;
  headers: Record<string, string>;
  body?: Uint8Array | undefined;
}

/** An answer: status, headers and body as text. */
export interface Answer {
  status: number;
  headers: HeaderMap;
  text: string;
}

/** The queue answered with an error; `code` is the MNS code, e.g. `QueueNotExist`. */
export class QueueError extends RootError {
  /** `server` for a 5xx answer, else `client`. */
  override get category(): string {
    return (this.httpStatus ?? 0) >= 500 ? "server" : "client";
  }
}

/**
 * The answer to `request` within `seconds`, or undefined when `cancel` aborted it first.
 * Rejects with `RequestTimeoutError`, `ConnectionFailedError` or, for an answer over
 * {@link MAX_ANSWER} bytes, `InvalidResponseError`.
 */
export async function send(request: Request, seconds: number, cancel?: AbortSignal): Promise<Answer | undefined> {
  const host = new URL(request.url).host;
  if (cancel?.aborted) return undefined;
  let exchange: Exchange;
  try {
    exchange = await sendWithin(SEND, request, MAX_ANSWER, seconds * 1000, cancel);
  } catch (error) {
    if (error instanceof TimedOut) throw new RequestTimeoutError(`${host} did not answer within ${seconds.toFixed(1)} s`);
    if (cancel?.aborted) return undefined;
    const cause = causeOf(error);
    const code = cause.code ?? cause.name; // never the text: it may quote a header holding the token
    const what = NOT_SENT.has(code) ? `could not connect to ${host}` : `the connection to ${host} failed`;
    throw new ConnectionFailedError(`${what}: ${code}`);
  }
  if (exchange.body === undefined) {
    throw new InvalidResponseError(`the answer is larger than ${MAX_ANSWER} bytes`, { httpStatus: exchange.status });
  }
  return { status: exchange.status, headers: exchange.headers, text: new TextDecoder().decode(exchange.body) };
}

/** The error a queue's answer describes (its `Error` document, else its status). */
export function queueError(answer: Answer): QueueError {
  let [code, message, requestId] = ["", "", ""];
  try {
    [code, message, requestId] = mns.parseError(answer.text);
  } catch {
    // not an Error document: the status tells
  }
  return new QueueError(message || `the queue answered HTTP ${answer.status}`, {
    code: code || undefined,
    requestId: requestId || answer.headers.get("x-mns-request-id") || undefined,
    httpStatus: answer.status,
  });
}

/** Whether the queue refused the credentials (new ones may do). */
export function authFailure(answer: Answer): boolean {
  if (answer.status === 401 || answer.status === 403) return true;
  if (answer.status < 400) return false;
  const code = queueError(answer).code ?? "";
  return AUTH_CODES.some((c) => code === c || code.startsWith(`${c}.`));
}

/** Temporary credentials of the queue, and when they expire (epoch milliseconds). */
export interface Token extends Credentials {
  readonly securityToken: string;
  readonly expiresAt: number;
}

/** The credentials in the token action's answer, or its error, typed (`action` set). An answer
 * that is not the service's is an `InvalidResponseError` that shows none of it. */
export function readToken(answer: Answer, action: string, utcOffsetMinutes: number): Token {
  const body = interpret({ status: answer.status, headers: answer.headers, body: answer.text });
  if (body instanceof InvalidResponseError || (!(body instanceof RootError) && answer.status !== 200)) {
    const requestId = answer.headers.get("x-acs-request-id") ?? undefined;
    const message = `the token action answered HTTP ${answer.status} with what is not its answer (not shown: it may hold credentials)`;
    throw new InvalidResponseError(message, { httpStatus: answer.status, requestId, action });
  }
  if (body instanceof RootError) {
    body.action = action;
    throw body;
  }
  const dto = body["MessageTokenDTO"];
  const fields = typeof dto === "object" && dto !== null ? (dto as Record<string, unknown>) : {};
  const missing = ["AccessKeyId", "AccessKeySecret", "SecurityToken", "ExpireTime"].filter((n) => !fields[n]);
  if (missing.length > 0) throw new InvalidResponseError(`the token answer has no MessageTokenDTO.${missing.join(", ")}`, { action });
  const text = (name: string): string => {
    const value = String(fields[name]);
    if (!SAFE_HEADER_TEXT.test(value)) {
      // it travels in a header: refused here, before any error could quote it
      throw new InvalidResponseError(`the token answer's MessageTokenDTO.${name} is not printable ASCII (not shown)`, { action });
    }
    return value;
  };
  return {
    accessKeyId: text("AccessKeyId"),
    accessKeySecret: text("AccessKeySecret"),
    securityToken: text("SecurityToken"),
    expiresAt: parseTime(fields["ExpireTime"], utcOffsetMinutes),
  };
}

const LOCAL_TIME = /^(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,6}))?)?)?(Z|[+-]\d\d:?\d\d)?$/;

/**
 * Epoch milliseconds of a time the token action sends: `2026-12-01 18:00:00` (in the zone
 * `utcOffsetMinutes` east of UTC), ISO 8601 (a zone-less one in that zone too) or epoch
 * milliseconds (`1796119200000`, in digits or as a number).
 */
export function parseTime(value: unknown, utcOffsetMinutes: number): number {
  const text = typeof value === "string" ? value.trim() : typeof value === "number" ? String(value) : "";
  if (/^\d+$/.test(text)) return Number(text);
  const m = LOCAL_TIME.exec(text);
  if (m === null) throw new InvalidResponseError(`the token's expiry time ${JSON.stringify(text.slice(0, 40))} is not a time`);
  const [, y, mo, d, h = "0", mi = "0", s = "0", fraction = "", zone] = m;
  const ms = Number(fraction.padEnd(3, "0").slice(0, 3));
  const local = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms);
  const day = new Date(local);
  if (day.getUTCMonth() !== Number(mo) - 1 || day.getUTCDate() !== Number(d) || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59) {
    throw new InvalidResponseError(`the token's expiry time ${JSON.stringify(text)} is not a time`);
  }
  let offset = utcOffsetMinutes;
  if (zone === "Z") offset = 0;
  else if (zone !== undefined) {
    const digits = zone.replace(":", "");
    offset = (zone.startsWith("-") ? -1 : 1) * (Number(digits.slice(1, 3)) * 60 + Number(digits.slice(3, 5)));
  }
  return local - offset * 60_000;
}
