/**
 * The message-queue protocol receipts are pulled with (MNS, version 2015-06-06), as pure
 * functions: the Python runtime's `_mns.py`.
 *
 * A request is signed `Authorization: MNS <AccessKeyId>:<signature>`, the signature being base64
 * of HMAC-SHA1, keyed by the secret, over the lines
 *
 *     VERB, Content-MD5, Content-Type, Date,
 *     then each `x-mns-*` header as `name:value` (names lower-case, sorted), then the resource
 *     (the path with its query, as sent),
 *
 * with temporary credentials' token in a `security-token` header, which is not signed. A receive
 * is `GET /queues/<queue>/messages?numOfMessages=N&waitseconds=S`, answered with `Messages` XML
 * (or a 404 `MessageNotExist` when the long poll found none); a delete is `DELETE
 * /queues/<queue>/messages` with a `ReceiptHandles` XML body, answered 204, or with `Errors`
 * naming the handles that failed. A message's body is base64 of the receipts' JSON, and
 * `MessageBodyMD5` the upper-case hex MD5 of the body as sent.
 *
 * Answers are read with the bounded reader of `xml.ts`; what is not the protocol is a
 * `ProtocolError`.
 */

import { createHash, createHmac } from "node:crypto";
import { percentEncode } from "./signing.js";
import { ProtocolError, type XmlElement, childrenOf, parseXml, textOf } from "./xml.js";

export { ProtocolError } from "./xml.js";

export const VERSION = "2015-06-06";
export const NAMESPACE = "http://mns.aliyuncs.com/doc/v1/";
export const CONTENT_TYPE = "text/xml;charset=UTF-8";

/** An RFC 1123 date in GMT, as the `Date` header wants it. */
export function httpDate(epochMs: number = Date.now()): string {
  return new Date(epochMs).toUTCString();
}

export function stringToSign(method: string, resource: string, headers: Readonly<Record<string, string>>): string {
  const lower = new Map(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));
  const mns = [...lower.keys()]
    .filter((k) => k.startsWith("x-mns-"))
    .sort()
    .map((k) => `${k}:${lower.get(k)}\n`)
    .join("");
  const parts = [method.toUpperCase(), lower.get("content-md5") ?? "", lower.get("content-type") ?? "", lower.get("date") ?? ""];
  return `${parts.join("\n")}\n${mns}${resource}`;
}

export function authorization(
  method: string,
  resource: string,
  headers: Readonly<Record<string, string>>,
  keyId: string,
  secret: string,
): string {
  const digest = createHmac("sha1", secret).update(stringToSign(method, resource, headers), "utf8").digest("base64");
  return `MNS ${keyId}:${digest}`;
}

export function receiveResource(queue: string, batch: number, waitSeconds: number): string {
  return `/queues/${percentEncode(queue)}/messages?numOfMessages=${batch}&waitseconds=${waitSeconds}`;
}

export function deleteResource(queue: string): string {
  return `/queues/${percentEncode(queue)}/messages`;
}

const ESCAPES: Readonly<Record<string, string>> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };

/** The `ReceiptHandles` document of a batch delete, UTF-8. */
export function deleteBody(handles: readonly string[]): Uint8Array {
  const items = handles.map((h) => `<ReceiptHandle>${h.replace(/[&<>]/g, (c) => ESCAPES[c] ?? c)}</ReceiptHandle>`);
  const xml = `<?xml version="1.0" encoding="UTF-8"?><ReceiptHandles xmlns="${NAMESPACE}">${items.join("")}</ReceiptHandles>`;
  return new TextEncoder().encode(xml);
}

/** One queued message: its id, its handle (to delete it) and its body, decoded from base64. */
export interface Message {
  readonly messageId: string;
  readonly receiptHandle: string;
  readonly body: Uint8Array;
  readonly dequeueCount: number;
  /** Epoch milliseconds. */
  readonly enqueueTime: number;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

function decodeBody(encoded: string): Uint8Array {
  if (encoded.length % 4 === 0 && BASE64.test(encoded)) return Buffer.from(encoded, "base64");
  return Buffer.from(encoded, "utf8"); // a queue may hold plain text
}

function integer(element: XmlElement, name: string): number {
  const text = textOf(element, name).trim();
  if (text === "") return 0;
  if (!/^[+-]?\d{1,16}$/.test(text)) throw new ProtocolError(`${name} ${JSON.stringify(text.slice(0, 20))} is not a number`);
  return Number(text);
}

/** The messages of a receive answer; `ProtocolError` for a body that fails its MD5. */
export function parseMessages(data: string): Message[] {
  return childrenOf(parseXml(data), "Message").map((element) => {
    const encoded = textOf(element, "MessageBody");
    const expected = textOf(element, "MessageBodyMD5").toUpperCase();
    const id = textOf(element, "MessageId");
    if (expected && createHash("md5").update(encoded, "utf8").digest("hex").toUpperCase() !== expected) {
      throw new ProtocolError(`message ${id}: the body does not match its MD5`);
    }
    return {
      messageId: id,
      receiptHandle: textOf(element, "ReceiptHandle"),
      body: decodeBody(encoded),
      dequeueCount: integer(element, "DequeueCount"),
      enqueueTime: integer(element, "EnqueueTime"),
    };
  });
}

/** `[code, message, request id]` of an `Error` answer. */
export function parseError(data: string): [string, string, string] {
  const root = parseXml(data);
  return [textOf(root, "Code"), textOf(root, "Message"), textOf(root, "RequestId")];
}

/** Receipt handle → `[code, message]` of each message a batch delete could not delete. */
export function parseDeleteErrors(data: string): Map<string, [string, string]> {
  const failed = new Map<string, [string, string]>();
  for (const e of childrenOf(parseXml(data), "Error")) {
    failed.set(textOf(e, "ReceiptHandle"), [textOf(e, "ErrorCode"), textOf(e, "ErrorMessage")]);
  }
  return failed;
}
