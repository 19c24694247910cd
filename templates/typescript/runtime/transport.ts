/**
 * How a signed request travels: one POST and its answer, read whole up to a limit. Two ways, one
 * contract:
 *
 * - `nodeSender` (the default): `node:http` and `node:https` with keep-alive agents of at most
 *   {@link MAX_SOCKETS} connections per host, shared by every client unless one is given (`ClientOptions.agent`: a proxy agent, TLS settings). About a
 *   third less CPU per call than `fetch` on Node 18–22.
 * - `fetchSender`: a `fetch` function (`ClientOptions.fetch`: undici's with a dispatcher, an
 *   instrumented one, a test double).
 *
 * Both reject with the error of the socket (its `code`: `ECONNREFUSED`, `ECONNRESET`, ...) or the
 * signal's reason, never follow a redirect, and give `body: undefined` for an answer over the limit,
 * whose rest is not read. A body cut short (fewer bytes than its declared length) rejects.
 */

import http from "node:http";
import https from "node:https";
import type { HeaderMap } from "./rpc.js";

/** What came back: the status, the headers (names lower-cased) and the body, or `undefined` over the limit. */
export interface Exchange {
  status: number;
  headers: HeaderMap;
  body: Uint8Array | undefined;
}

/** One request: a POST without a body unless `method` and `body` say otherwise. */
export interface Outgoing {
  url: string;
  headers: Readonly<Record<string, string>>;
  method?: string | undefined;
  body?: Uint8Array | undefined;
}

export type Sender = (request: Outgoing, signal: AbortSignal, limit: number) => Promise<Exchange>;

/** Connections open at once per host, by default (as the Python AsyncClient's `max_connections`): a call beyond waits, its timeout running. */
export const MAX_SOCKETS = 64;

const shared = {
  http: new http.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
  https: new https.Agent({ keepAlive: true, maxSockets: MAX_SOCKETS }),
};

/** `node:http`'s parsed headers (names already lower-cased) read as a `HeaderMap`. */
class NodeHeaders implements HeaderMap {
  constructor(readonly fields: http.IncomingHttpHeaders) {}

  get(name: string): string | null {
    const value = this.fields[name.toLowerCase()];
    return value === undefined ? null : Array.isArray(value) ? value.join(", ") : value;
  }

  forEach(visit: (value: string, name: string) => void): void {
    for (const name of Object.keys(this.fields)) visit(this.get(name) ?? "", name);
  }
}

function cutShort(): Error {
  return Object.assign(new Error("the answer ended before its declared length"), { code: "ECONNRESET" });
}

/** POSTs over `node:http(s)`; `agent` serves every request when given, else the shared keep-alive agents. */
export function nodeSender(agent?: http.Agent): Sender {
  return ({ url, headers, method, body }, signal, limit) =>
    new Promise<Exchange>((resolve, reject) => {
      const target = new URL(url);
      const secure = target.protocol === "https:";
      const request = (secure ? https : http).request(target, {
        method: method ?? "POST",
        headers: { ...headers, "content-length": String(body?.byteLength ?? 0) },
        agent: agent ?? (secure ? shared.https : shared.http),
        signal,
      });
      request.on("error", reject);
      request.on("response", (response) => {
        const fields = new NodeHeaders(response.headers);
        const status = response.statusCode ?? 0;
        const over = (): void => {
          response.destroy();
          resolve({ status, headers: fields, body: undefined });
        };
        if (Number(response.headers["content-length"] ?? 0) > limit) return over();
        const chunks: Buffer[] = [];
        let size = 0;
        response.on("data", (chunk: Buffer) => {
          size += chunk.length;
          if (size > limit) return over();
          chunks.push(chunk);
        });
        response.on("end", () => resolve({ status, headers: fields, body: Buffer.concat(chunks) }));
        response.on("error", reject);
        response.on("close", () => {
          if (!response.complete) reject(signal.aborted ? signal.reason : cutShort());
        });
      });
      request.end(body);
    });
}

/** The time given to {@link sendWithin} ran out before the answer was whole. */
export class TimedOut extends Error {}

/**
 * `request` sent by `send` with `ms` milliseconds for it, answer included; `caller` may abort it
 * too. Rejects with {@link TimedOut} when the time ran out, with the caller's reason when it
 * aborted (at once, when it already had), else with the send's own error. No timer or listener
 * outlives it.
 */
export async function sendWithin(
  send: Sender,
  request: Outgoing,
  limit: number,
  ms: number,
  caller?: AbortSignal,
): Promise<Exchange> {
  if (caller?.aborted) throw caller.reason; // before any timer is set
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, ms);
  const onAbort = (): void => controller.abort();
  caller?.addEventListener("abort", onAbort, { once: true });
  try {
    return await send(request, controller.signal, limit);
  } catch (error) {
    if (caller?.aborted && !timedOut) throw caller.reason;
    throw timedOut ? new TimedOut() : error;
  } finally {
    clearTimeout(timer);
    caller?.removeEventListener("abort", onAbort);
  }
}

/** POSTs through a `fetch` function, reading the body as a stream cut at the limit. */
export function fetchSender(send: typeof fetch): Sender {
  return async ({ url, headers, method, body }, signal, limit) => {
    const response = await send(url, { method: method ?? "POST", headers, body, signal, redirect: "manual" });
    return { status: response.status, headers: response.headers, body: await readBody(response, limit) };
  };
}

/** `body` read to its end, or `undefined` (and the rest left unread) once it is over `limit` bytes. */
export async function readBody(response: Response, limit: number): Promise<Uint8Array | undefined> {
  const length = response.headers.get("content-length");
  const declared = length === null ? NaN : Number(length);
  const encoded = response.headers.get("content-encoding") !== null; // fetch decompresses: the length is not the size
  if (!encoded && Number.isSafeInteger(declared) && declared >= 0 && declared <= limit) {
    return new Uint8Array(await response.arrayBuffer()); // fetch holds a body to its declared length
  }
  const reader = response.body?.getReader();
  if (reader === undefined) return new Uint8Array(0);
  if (!encoded && Number.isFinite(declared) && declared > limit) {
    await reader.cancel().catch(() => undefined);
    return undefined;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return undefined;
    }
    chunks.push(value);
  }
  const body = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    body.set(chunk, at);
    at += chunk.byteLength;
  }
  return body;
}
