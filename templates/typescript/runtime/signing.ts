/**
 * Wire encoding and request signing for Alibaba Cloud RPC APIs (node:crypto only), byte for byte
 * as the Python runtime (`_signing.py`) and the vendor's SDKs do.
 *
 * - {@link flatten} turns wire-named values into flat pairs (`MenuKeyMap.1.Key=...`), and
 *   {@link wireValue} renders one scalar (booleans `true`/`false`, doubles as Python's repr).
 * - {@link v3Headers} + {@link signV3}: the default ACS3-HMAC-SHA256 signature (`Authorization`).
 * - {@link signV1}: the HMAC-SHA1 "SignatureVersion 1.0" query, `Signature` last.
 * - {@link encodeQuery} writes pairs on the wire (space is `+`); signatures use
 *   {@link percentEncode} (space is `%20`) of the same decoded values.
 *
 * Secrets are only ever HMAC keys: no value, let alone a secret, goes in an error message.
 */

import { createHash, createHmac, randomFillSync } from "node:crypto";

export type Pairs = ReadonlyArray<readonly [string, string]>;

export const V3_ALGORITHM = "ACS3-HMAC-SHA256";
/** Hex SHA-256 of the empty body: the `x-acs-content-sha256` of every RPC call. */
export const EMPTY_SHA256 = createHash("sha256").update("").digest("hex");

const UNRESERVED = /^[A-Za-z0-9_.~-]*$/;

/** RFC 3986 encoding used inside signatures: every UTF-8 byte outside `A-Z a-z 0-9 - _ . ~` is `%XX`. */
export function percentEncode(value: string): string {
  if (UNRESERVED.test(value)) return value;
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
}

/** The query string as sent on the wire (Python's `quote_plus`: space is `+`). */
export function encodeQuery(pairs: Pairs): string {
  return pairs.map(([k, v]) => `${plus(k)}=${plus(v)}`).join("&");
}

function plus(value: string): string {
  return UNRESERVED.test(value) ? value : percentEncode(value).replace(/%20/g, "+");
}

/** A double as Python's `repr(float)` writes it: `3.0`, `0.5`, `1e-05`, `1e+16`. */
export function pythonFloat(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "inf" : value < 0 ? "-inf" : "nan";
  if (value === 0) return Object.is(value, -0) ? "-0.0" : "0.0";
  const exponent = Math.floor(Math.log10(Math.abs(value)));
  if (exponent < -4 || exponent >= 16) {
    const [mantissa, exp] = value.toExponential().split("e");
    const n = Number(exp);
    const digits = String(Math.abs(n)).padStart(2, "0");
    return `${mantissa}e${n < 0 ? "-" : "+"}${digits}`;
  }
  const text = String(value);
  return Number.isInteger(value) ? `${text}.0` : text;
}

/** One scalar as the server expects it; `double` marks a number of a double field. */
export function wireValue(value: unknown, double = false): string {
  if (typeof value === "boolean") return value ? "true" : "false";
  if (typeof value === "string") return value;
  if (typeof value === "bigint") return value.toString();
  if (typeof value === "number") return double ? pythonFloat(value) : String(value);
  throw new TypeError(`cannot send a value of type ${typeof value}`);
}

/**
 * Compact JSON for fields serialized as JSON, non-ASCII kept (`{"a":"张三"}`), written as the
 * Python runtime writes it: a `Double` keeps its fraction (`3.0`), `undefined` members are left out.
 */
export function jsonValue(value: unknown): string {
  if (value instanceof Double) return pythonFloat(value.value);
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? "null" : jsonValue(item))).join(",")}]`;
  if (typeof value === "object" && value !== null) {
    const members = Object.entries(value).filter(([, item]) => item !== undefined);
    return `{${members.map(([key, item]) => `${JSON.stringify(key)}:${jsonValue(item)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

/** A wire value before flattening: doubles are marked so they print as Python prints them. */
export class Double {
  constructor(readonly value: number) {}
  toJSON(): number {
    return this.value;
  }
}

/**
 * Wire-named values into query pairs, in insertion order: `undefined`/`null` dropped, a list
 * `Key.1`, `Key.2`, ... (1-based), an object `Key.Sub`, nested to any depth.
 */
export function flatten(params: Readonly<Record<string, unknown>>): [string, string][] {
  const out: [string, string][] = [];
  const walk = (key: string, value: unknown): void => {
    if (value === undefined || value === null) return;
    if (value instanceof Double) out.push([key, wireValue(value.value, true)]);
    else if (Array.isArray(value)) value.forEach((item, i) => walk(`${key}.${i + 1}`, item));
    else if (typeof value === "object") {
      for (const [sub, item] of Object.entries(value as Record<string, unknown>)) walk(`${key}.${sub}`, item);
    } else out.push([key, wireValue(value)]);
  };
  for (const [key, value] of Object.entries(params)) walk(key, value);
  return out;
}

function isSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdfff;
}

/** Code point order, as Python sorts str (UTF-16 unit order differs only above U+FFFF). */
function compare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // a surrogate is half of a code point above U+FFFF: above every other unit
      if (isSurrogate(x) !== isSurrogate(y)) return isSurrogate(x) ? 1 : -1;
      return x - y;
    }
  }
  return a.length - b.length;
}

function canonicalQuery(pairs: Pairs): string {
  return [...pairs]
    .sort((p, q) => compare(p[0], q[0]))
    .map(([k, v]) => `${percentEncode(k)}=${percentEncode(v)}`)
    .join("&");
}

const noncePool = Buffer.alloc(16 * 256);
let noncePoolAt = noncePool.length;

/** A fresh `SignatureNonce`: 32 lowercase hex characters (from a pool the CSPRNG refills). */
export function newNonce(): string {
  if (noncePoolAt + 16 > noncePool.length) {
    randomFillSync(noncePool);
    noncePoolAt = 0;
  }
  noncePoolAt += 16;
  return noncePool.toString("hex", noncePoolAt - 16, noncePoolAt);
}

/** UTC time as `2024-01-02T03:04:05Z`; `now` in epoch milliseconds, default now. */
export function utcTimestamp(now: number = Date.now()): string {
  const second = Math.floor(now / 1000);
  if (second !== lastStamp[0]) lastStamp = [second, new Date(second * 1000).toISOString().replace(/\.\d{3}Z$/, "Z")];
  return lastStamp[1];
}

let lastStamp: [number, string] = [NaN, ""]; // calls within one second share its text

export interface V3HeaderInput {
  host: string;
  action: string;
  version: string;
  timestamp: string;
  nonce: string;
  userAgent: string;
  securityToken?: string | undefined;
  accessKeyId?: string | undefined;
}

/** The headers of a V3-signed RPC call, in the vendor SDK's order; all are signed. */
export function v3Headers(input: V3HeaderInput): Record<string, string> {
  const headers: Record<string, string> = {
    host: input.host,
    "x-acs-version": input.version,
    "x-acs-action": input.action,
    "user-agent": input.userAgent,
    "x-acs-date": input.timestamp,
    "x-acs-signature-nonce": input.nonce,
    accept: "application/json",
    "x-acs-content-sha256": EMPTY_SHA256,
    "x-acs-credentials-provider": input.securityToken ? "static_sts" : "static_ak",
  };
  if (input.securityToken) {
    if (!input.accessKeyId) throw new Error("an STS security token needs its access key id");
    headers["x-acs-accesskey-id"] = input.accessKeyId;
    headers["x-acs-security-token"] = input.securityToken;
  }
  return headers;
}

export interface V3SignInput {
  method: string;
  host: string;
  pathname: string;
  query: Pairs;
  headers: Readonly<Record<string, string>>;
  accessKeyId: string;
  accessKeySecret: string;
  body?: Uint8Array;
}

/**
 * The `Authorization` header of an ACS3-HMAC-SHA256 (V3) request: the canonical request (method,
 * path, sorted query, sorted lowercased headers, signed header names, hex SHA-256 of the body),
 * hashed, and HMAC-SHA256 keyed by the secret.
 */
export function signV3(input: V3SignInput): string {
  const merged = new Map<string, string[]>();
  for (const [name, value] of Object.entries(input.headers)) {
    const key = name.toLowerCase();
    merged.set(key, [...(merged.get(key) ?? []), value.trim()]);
  }
  const host = merged.get("host");
  if (host === undefined) merged.set("host", [input.host]);
  else if (host.length !== 1 || host[0] !== input.host) throw new Error("the host header disagrees with host");
  const names = [...merged.keys()].sort(compare);
  const canonicalHeaders = names.map((n) => `${n}:${[...(merged.get(n) ?? [])].sort(compare).join(",")}\n`).join("");
  const signedHeaders = names.join(";");
  const canonicalRequest = [
    input.method,
    input.pathname || "/",
    canonicalQuery(input.query),
    canonicalHeaders,
    signedHeaders,
    createHash("sha256").update(input.body ?? new Uint8Array()).digest("hex"),
  ].join("\n");
  const digest = createHash("sha256").update(canonicalRequest, "utf8").digest("hex");
  const signature = createHmac("sha256", Buffer.from(input.accessKeySecret, "utf8"))
    .update(`${V3_ALGORITHM}\n${digest}`, "utf8")
    .digest("hex");
  return `${V3_ALGORITHM} Credential=${input.accessKeyId},SignedHeaders=${signedHeaders},Signature=${signature}`;
}

export interface V1HeaderInput {
  host: string;
  action: string;
  version: string;
  userAgent: string;
  securityToken?: string | undefined;
}

/** The headers sent with a V1-signed call (none are signed). */
export function v1Headers(input: V1HeaderInput): Record<string, string> {
  return {
    host: input.host,
    "x-acs-version": input.version,
    "x-acs-action": input.action,
    "user-agent": input.userAgent,
    "x-acs-credentials-provider": input.securityToken ? "static_sts" : "static_ak",
  };
}

export interface V1SignInput {
  action: string;
  version: string;
  params: Pairs;
  timestamp: string;
  nonce: string;
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string | undefined;
  method?: string;
}

/** The whole query of an HMAC-SHA1 "SignatureVersion 1.0" (V1) call, in wire order, `Signature` last. */
export function signV1(input: V1SignInput): [string, string][] {
  const query: [string, string][] = [
    ["Action", input.action],
    ["Format", "json"],
    ["Version", input.version],
    ["Timestamp", input.timestamp],
    ["SignatureNonce", input.nonce],
    ...input.params.map(([k, v]): [string, string] => [k, v]),
  ];
  if (input.securityToken) query.push(["SecurityToken", input.securityToken]);
  query.push(["SignatureMethod", "HMAC-SHA1"], ["SignatureVersion", "1.0"], ["AccessKeyId", input.accessKeyId]);
  query.push(["Signature", v1Signature(query, input.accessKeySecret, input.method ?? "POST")]);
  return query;
}

/** The Base64 HMAC-SHA1 V1 signature of a query's pairs (`Signature` itself left out). */
export function v1Signature(pairs: Pairs, accessKeySecret: string, method = "POST"): string {
  const canonical = canonicalQuery(pairs.filter(([k]) => k !== "Signature"));
  const stringToSign = `${method}&${percentEncode("/")}&${percentEncode(canonical)}`;
  return createHmac("sha1", Buffer.from(`${accessKeySecret}&`, "utf8")).update(stringToSign, "utf8").digest("base64");
}
