/**
 * Receipts: the messages the service sends about each call, typed, and a receiver for pushed ones
 * (the Python runtime's `_receipts.py`).
 *
 * A receipt is a JSON object whose values the service sends as strings, numbers included
 * (`"duration": "12"`). The generated receipt parsers (`src/receipts.ts`) read them tolerantly: a
 * number in a string becomes the number, an empty string `undefined`, a value that is not what
 * the spec says `undefined` too; nothing is lost, since `raw` keeps the message as it came.
 * Enumerated values stay strings: a value the spec does not list still arrives.
 *
 * `PushReceiver.handle` parses a pushed body, calls the application's handler once per receipt
 * and answers what the service expects: 200 with the product's reply; 500 when the handler threw
 * (the service sends the batch again later), 400 for a body that is not receipts, 413 for a body
 * over the limit. `PushReceiver.listener` is the same for `http.createServer` (and 405 for another
 * method than POST). A receipt already handled is not handed over again when it comes back (the
 * last `remember` of them, in memory, by type and message whatever its key order).
 */

import { createHash } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";

/** Bytes of one pushed batch a receiver reads. */
export const MAX_BODY = 10 * 1024 * 1024;

/** A body or message that is not a receipt of the expected type. */
export class ReceiptError extends Error {
  override readonly name = "ReceiptError";
}

const INTEGER = /^[+-]?[0-9]+$/;
const DECIMAL = /^[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?$/;

/** An integer, or one in decimal text; `undefined` beyond `Number.MAX_SAFE_INTEGER` (`raw` keeps it). */
export function asInt(value: unknown): number | undefined {
  const n = typeof value === "string" && INTEGER.test(value.trim()) ? Number(value.trim()) : value;
  return typeof n === "number" && Number.isSafeInteger(n) ? n : undefined;
}

/** A finite number, or one in decimal text (`1.5`, `-2`, `1e3`; no `Infinity`, `0x10`, `1_000`). */
export function asFloat(value: unknown): number | undefined {
  const n = typeof value === "string" && DECIMAL.test(value.trim()) ? Number(value.trim()) : value;
  return typeof n === "number" && Number.isFinite(n) ? n : undefined;
}

export function asBool(value: unknown): boolean | undefined {
  if (typeof value === "boolean") return value;
  if (typeof value === "string") {
    const text = value.trim().toLowerCase();
    if (text === "true" || text === "false") return text === "true";
  }
  return undefined;
}

export function asStr(value: unknown): string | undefined {
  if (typeof value === "string") return value; // "" stays "" (an OutId not given), as in Python
  if (typeof value === "number" && Number.isFinite(value)) {
    return Number.isInteger(value) && !Number.isSafeInteger(value) ? undefined : String(value);
  }
  if (typeof value === "boolean") return value ? "true" : "false";
  return undefined;
}

/** What every receipt carries besides its typed members: the message as it came. */
export interface Receipt {
  readonly raw: Readonly<Record<string, unknown>>;
}

/** A receipt type: its message type and its tolerant parser of one message. */
export interface ReceiptKind<R extends Receipt = Receipt> {
  readonly MESSAGE_TYPE: string;
  /** One message (a JSON object, already decoded) as a receipt; throws `ReceiptError` for anything else. */
  parse(message: unknown): R;
}

/** The message as an object, for a generated parser; throws `ReceiptError` for anything else. */
export function messageObject(messageType: string, message: unknown): Record<string, unknown> {
  if (message === null || typeof message !== "object" || Array.isArray(message)) {
    const what = message === null ? "null" : Array.isArray(message) ? "an array" : typeof message;
    throw new ReceiptError(`a ${messageType} is a JSON object, not ${what}`);
  }
  return message as Record<string, unknown>;
}

const UTF8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

function byteLength(body: string | Uint8Array): number {
  return typeof body === "string" ? Buffer.byteLength(body, "utf8") : body.byteLength;
}

/** The receipts of one message or push body: a JSON array of objects, or one object. */
export function parseBody<R extends Receipt>(kind: ReceiptKind<R>, body: string | Uint8Array): R[] {
  let text: string;
  if (typeof body === "string") {
    text = body;
  } else {
    try {
      text = UTF8.decode(body);
    } catch {
      throw new ReceiptError("the body is not UTF-8");
    }
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ReceiptError(`the body is not JSON (${(error as Error).name})`);
  }
  const items = Array.isArray(data) ? data : [data];
  return items.map((item) => kind.parse(item));
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonical(record[k])}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** What makes two receipts the same: their type and their message, whatever its key order (a SHA-256). */
export function identity(messageType: string, receipt: Receipt): string {
  return createHash("sha256").update(`${messageType}\n${canonical(receipt.raw)}`, "utf8").digest("base64");
}

/** The identities of the last `capacity` receipts handled (0 remembers none). */
export class Seen {
  readonly #keys = new Set<string>();

  constructor(readonly capacity: number) {}

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  add(key: string): void {
    this.#keys.delete(key);
    this.#keys.add(key);
    for (const oldest of this.#keys) {
      if (this.#keys.size <= this.capacity) break;
      this.#keys.delete(oldest);
    }
  }
}

export interface PushReceiverOptions {
  /** Bytes of one pushed batch read at most; a larger one gets 413. Default 10 MiB. */
  maxBody?: number;
  /** How many handled receipts are remembered to drop their duplicates. Default 10000. */
  remember?: number;
  /** Told of a handler's failure (the service sends the batch again). Default: `console.error`. */
  onError?: (error: unknown, receipt: Receipt) => void;
}

/** An HTTP status and the JSON body to answer a push with. */
export interface PushAnswer {
  status: number;
  body: string;
}

const NOT_POST: PushAnswer = { status: 405, body: '{"code": 405, "msg": "POST only"}' };
const TOO_LARGE: PushAnswer = { status: 413, body: '{"code": 413, "msg": "too large"}' };
const NOT_RECEIPTS: PushAnswer = { status: 400, body: '{"code": 400, "msg": "not receipts"}' };
const FAILED: PushAnswer = { status: 500, body: '{"code": 500, "msg": "handler failed"}' };

/** The application's push URL for one receipt type: see the module comment. */
export class PushReceiver<R extends Receipt> {
  readonly maxBody: number;
  readonly seen: Seen;
  readonly #inFlight = new Map<string, Promise<boolean>>();
  readonly #onError: (error: unknown, receipt: Receipt) => void;

  constructor(
    readonly kind: ReceiptKind<R>,
    readonly handler: (receipt: R) => unknown,
    readonly reply: string,
    options: PushReceiverOptions = {},
  ) {
    this.maxBody = options.maxBody ?? MAX_BODY;
    this.seen = new Seen(options.remember ?? 10_000);
    this.#onError =
      options.onError ??
      ((error) => console.error(`the ${kind.MESSAGE_TYPE} handler failed; the service will send the batch again`, error));
  }

  /** The status and body to answer a pushed body with. */
  async handle(body: string | Uint8Array): Promise<PushAnswer> {
    if (byteLength(body) > this.maxBody) return { ...TOO_LARGE };
    let receipts: R[];
    try {
      receipts = parseBody(this.kind, body);
    } catch (error) {
      if (error instanceof ReceiptError) return { ...NOT_RECEIPTS };
      throw error;
    }
    for (const receipt of receipts) {
      if (!(await this.#once(receipt))) return { ...FAILED };
    }
    return { status: 200, body: this.reply };
  }

  /** Hands a receipt over unless it was already; false when the handler failed. */
  async #once(receipt: R): Promise<boolean> {
    const key = identity(this.kind.MESSAGE_TYPE, receipt);
    if (this.seen.has(key)) return true;
    const running = this.#inFlight.get(key); // the same receipt in a concurrent push
    if (running !== undefined) return running;
    const done = (async () => {
      try {
        await this.handler(receipt);
      } catch (error) {
        this.#onError(error, receipt);
        return false;
      }
      this.seen.add(key);
      return true;
    })();
    this.#inFlight.set(key, done);
    try {
      return await done;
    } finally {
      this.#inFlight.delete(key);
    }
  }

  /** A request listener for `http.createServer` (or a framework that hands over Node's request). */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    void this.#serve(req).then(
      (answer) => send(res, answer),
      () => send(res, { ...FAILED }),
    );
  };

  #serve(req: IncomingMessage): Promise<PushAnswer> {
    if ((req.method ?? "GET").toUpperCase() !== "POST") {
      req.resume();
      return Promise.resolve({ ...NOT_POST });
    }
    if (Number(req.headers["content-length"] ?? "0") > this.maxBody) {
      req.resume();
      return Promise.resolve({ ...TOO_LARGE });
    }
    return new Promise<PushAnswer>((resolve, reject) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const onData = (chunk: Buffer | string): void => {
        const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
        size += bytes.length;
        if (size > this.maxBody) {
          req.off("data", onData).off("end", onEnd);
          req.resume(); // the rest is read and dropped
          resolve({ ...TOO_LARGE });
          return;
        }
        chunks.push(bytes);
      };
      const onEnd = (): void => {
        this.handle(Buffer.concat(chunks)).then(resolve, reject);
      };
      req.on("data", onData).on("end", onEnd).on("error", reject);
    });
  }
}

function send(res: ServerResponse, answer: PushAnswer): void {
  const body = Buffer.from(answer.body, "utf8");
  res.writeHead(answer.status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(body.length),
  });
  res.end(body);
}
