/**
 * What the generated action descriptors say, and what the client does with it: a request's
 * camelCase members checked against the spec's constraints and turned into wire-named values
 * (JSON-style fields encoded), and an answer's wire names turned back into members (JSON-style
 * fields decoded). Messages name the field, never its value when it could be a secret.
 */

import { InvalidArgumentError } from "../errors.js";
import { Double, jsonValue } from "./signing.js";

export type Kind = "string" | "int32" | "int64" | "boolean" | "double";
export type TypeDesc = Kind | { list: TypeDesc } | { map: TypeDesc } | { struct: string };

export interface Condition {
  field: string; // the member whose value makes this one required
  present?: boolean;
  equals?: string | number | boolean;
  pattern?: string;
}

export interface FieldDesc {
  name: string; // the member: calledNumber
  wire: string; // the wire name: CalledNumber
  type: TypeDesc;
  required?: boolean;
  json?: boolean; // travels as one JSON string
  deprecated?: boolean;
  format?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  pattern?: string;
  minItems?: number;
  maxItems?: number;
  enum?: ReadonlyArray<string | number | boolean>;
  when?: Condition;
}

export interface ActionDesc {
  name: string;
  idempotent: boolean;
  params: readonly FieldDesc[];
  response: readonly FieldDesc[];
  structs: Readonly<Record<string, readonly FieldDesc[]>>;
}

type Values = Readonly<Record<string, unknown>>;

const PHONE_NUMBER = /^[0-9]{5,16}$/;
const DATE_TIME = /^\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?$/;
const EPOCH_MILLIS: readonly [number, number] = [100_000_000_000, 4_102_444_800_000];

const patterns = new Map<string, RegExp | null>();

function search(pattern: string, value: string): boolean {
  let re = patterns.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, "u");
    } catch {
      re = null;
    }
    patterns.set(pattern, re);
  }
  return re !== null && re.test(value);
}

function show(value: unknown): string {
  return typeof value === "string" ? JSON.stringify(value) : String(value);
}

function fail(where: string, problem: string): never {
  throw new InvalidArgumentError(`${where}: ${problem}`, { field: where });
}

function formatProblem(value: unknown, format: string): string | undefined {
  if (format === "phone-number") {
    if (typeof value !== "string" || !PHONE_NUMBER.test(value)) {
      return `${show(value)} is not a phone number: digits only, 5 to 16 of them (no '+', spaces or dashes)`;
    }
  } else if (format === "epoch-millis") {
    const [low, high] = EPOCH_MILLIS;
    if (typeof value !== "number" || !Number.isInteger(value)) {
      return `${show(value)} is not epoch milliseconds: an integer is needed`;
    }
    if (value < low || value >= high) {
      const hint = value >= 1e9 && value < low ? " (seconds? multiply by 1000)" : "";
      return `${value} is not epoch milliseconds of a time before 2100${hint}`;
    }
  } else if (format === "date-time") {
    if (typeof value !== "string" || !DATE_TIME.test(value)) {
      return `${show(value)} is not an ISO 8601 date and time, such as 2026-12-01T10:00:00Z`;
    }
  }
  return undefined;
}

function checkScalar(where: string, kind: Kind, value: unknown): void {
  switch (kind) {
    case "string":
      if (typeof value !== "string") fail(where, `a string is needed, not ${typeof value}`);
      return;
    case "boolean":
      if (typeof value !== "boolean") fail(where, `a boolean is needed, not ${typeof value}`);
      return;
    case "double":
      if (typeof value !== "number" || !Number.isFinite(value)) fail(where, "a finite number is needed");
      return;
    case "int32":
    case "int64":
      if (typeof value !== "number" || !Number.isSafeInteger(value)) fail(where, "an integer is needed");
      if (kind === "int32" && (value < -(2 ** 31) || value >= 2 ** 31)) fail(where, "it does not fit in 32 bits");
      return;
  }
}

function checkConstraints(where: string, f: FieldDesc, value: unknown): void {
  if (Array.isArray(value)) {
    if (f.minItems !== undefined && value.length < f.minItems) fail(where, `at least ${f.minItems} items are needed`);
    if (f.maxItems !== undefined && value.length > f.maxItems) fail(where, `at most ${f.maxItems} items are allowed`);
    return;
  }
  if (typeof value === "string") {
    const length = Array.from(value).length;
    if (f.minLength !== undefined && length < f.minLength) fail(where, `at least ${f.minLength} characters are needed`);
    if (f.maxLength !== undefined && length > f.maxLength) fail(where, `at most ${f.maxLength} characters are allowed`);
    if (f.pattern !== undefined && !search(f.pattern, value)) fail(where, `it does not match the pattern ${f.pattern}`);
  }
  if (typeof value === "number") {
    if (f.minimum !== undefined && value < f.minimum) fail(where, `it must be at least ${f.minimum}`);
    if (f.maximum !== undefined && value > f.maximum) fail(where, `it must be at most ${f.maximum}`);
    if (f.exclusiveMinimum !== undefined && value <= f.exclusiveMinimum) {
      fail(where, `it must be more than ${f.exclusiveMinimum}`);
    }
    if (f.exclusiveMaximum !== undefined && value >= f.exclusiveMaximum) {
      fail(where, `it must be less than ${f.exclusiveMaximum}`);
    }
  }
  if (f.enum !== undefined && f.enum.length > 0 && !f.enum.includes(value as string | number | boolean)) {
    fail(where, `${show(value)} is not one of ${f.enum.map(show).join(", ")}`);
  }
}

/** `value` of type `t` as the wire holds it before flattening (doubles marked, structs by wire name). */
function encode(where: string, t: TypeDesc, value: unknown, action: ActionDesc): unknown {
  if (typeof t === "string") {
    checkScalar(where, t, value);
    return t === "double" ? new Double(value as number) : value;
  }
  if ("list" in t) {
    if (!Array.isArray(value)) fail(where, "a list is needed");
    return value.map((item: unknown, i: number) => encode(`${where}[${i}]`, t.list, item, action));
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) fail(where, "an object is needed");
  if ("map" in t) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined && v !== null) out[k] = encode(`${where}.${k}`, t.map, v, action);
    }
    return out;
  }
  return encodeFields(where, action.structs[t.struct] ?? [], value as Values, action);
}

function encodeFields(prefix: string, fields: readonly FieldDesc[], values: Values, action: ActionDesc): Record<string, unknown> {
  const known = new Set(fields.map((f) => f.name));
  for (const key of Object.keys(values)) {
    if (!known.has(key) && values[key] !== undefined) {
      const where = prefix ? `${prefix}.${key}` : key;
      const near = fields.find((f) => f.name.toLowerCase() === key.toLowerCase() || f.wire === key);
      fail(where, `no such member${near ? `; did you mean ${near.name}?` : ""}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    const where = prefix ? `${prefix}.${f.name}` : f.name;
    const value = values[f.name];
    if (value === undefined || value === null) {
      if (f.required) fail(where, "it is required");
      const w = f.when;
      if (w !== undefined) {
        const other = values[w.field];
        if (other !== undefined && other !== null) {
          const hit =
            (w.equals !== undefined && other === w.equals) ||
            (w.pattern !== undefined && typeof other === "string" && search(w.pattern, other)) ||
            w.present === true;
          if (hit) fail(where, `it is required when ${w.field} is ${show(other)}`);
        }
      }
      continue;
    }
    checkConstraints(where, f, value);
    if (f.format !== undefined) {
      for (const item of Array.isArray(value) ? value : [value]) {
        const problem = formatProblem(item, f.format);
        if (problem !== undefined) fail(where, problem);
      }
    }
    const encoded = encode(where, f.type, value, action);
    out[f.wire] = f.json ? jsonValue(encoded) : encoded;
  }
  return out;
}

/** A request's wire-named values, in declaration order; an `InvalidArgumentError` names a wrong member. */
export function toWire(action: ActionDesc, request: Values | undefined): Record<string, unknown> {
  if (request !== undefined && (typeof request !== "object" || request === null || Array.isArray(request))) {
    fail("request", "an object is needed");
  }
  return encodeFields("", action.params, request ?? {}, action);
}

const FULLWIDTH: Readonly<Record<string, string>> = { "，": ",", "：": ":", "“": '"', "”": '"' };

/** `JSON.parse`, and failing that, once more after the Python runtime's repairs: full-width `，：“”`, trailing commas. */
function tolerantJson(text: string): unknown {
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    try {
      return JSON.parse(text.replace(/[，：“”]/g, (c) => FULLWIDTH[c] ?? c).replace(/,\s*([}\]])/g, "$1"));
    } catch {
      return undefined;
    }
  }
}

/** An answer's value that its type cannot hold: the message names the member. */
export class WireMismatch extends Error {}

function mismatch(where: string, needed: string, value: unknown): never {
  const kind = Array.isArray(value) ? "a list" : value === null ? "null" : typeof value === "object" ? "an object" : typeof value;
  throw new WireMismatch(`${where}: ${needed} is needed, not ${kind}`);
}

// What an answer's scalars may be, as the Python SDK's models (pydantic, lax) read them.
const TRUE = new Set(["true", "1", "yes", "on", "t", "y"]);
const FALSE = new Set(["false", "0", "no", "off", "f", "n"]);
const INTEGER_TEXT = /^[+-]?\d+(_\d+)*(\.0*)?$/;
const DECIMAL_TEXT = /^[+-]?(\d+(_\d+)*(\.(\d+(_\d+)*)?)?|\.\d+(_\d+)*)([eE][+-]?\d+)?$/;
const SPECIAL_FLOAT: Readonly<Record<string, number>> = { inf: Infinity, infinity: Infinity, nan: NaN };

function decodeScalar(where: string, kind: Kind, value: unknown): unknown {
  switch (kind) {
    case "string":
      if (typeof value === "string") return value;
      if (typeof value === "number" && Number.isFinite(value)) return String(value);
      return mismatch(where, "a string", value);
    case "boolean":
      if (typeof value === "boolean") return value;
      if (value === 0 || value === 1) return value === 1;
      if (typeof value === "string" && TRUE.has(value.toLowerCase())) return true;
      if (typeof value === "string" && FALSE.has(value.toLowerCase())) return false;
      return mismatch(where, "a boolean", value);
    case "double": {
      if (typeof value === "number" || typeof value === "boolean") return Number(value);
      const text = typeof value === "string" ? value.trim() : undefined;
      if (text !== undefined && DECIMAL_TEXT.test(text)) return Number(text.replace(/_/g, ""));
      const sign = text?.startsWith("-") ? -1 : 1;
      const special = text === undefined ? undefined : SPECIAL_FLOAT[text.replace(/^[+-]/, "").toLowerCase()];
      if (special !== undefined) return sign * special;
      return mismatch(where, "a number", value);
    }
    case "int32":
    case "int64": {
      let n: number | undefined;
      if (typeof value === "boolean") n = Number(value);
      else if (typeof value === "number") n = value;
      else if (typeof value === "string" && INTEGER_TEXT.test(value.trim())) {
        n = Number(value.trim().replace(/_/g, "").replace(/\.0*$/, ""));
      }
      if (n !== undefined && Number.isSafeInteger(n)) return n;
      // beyond 2**53 a JavaScript number is not the value sent: refused rather than rounded
      return mismatch(where, "an integer within ±(2**53 − 1)", value);
    }
  }
}

/** A list's item or a map's value: present, as the Python models require. */
function decodeItem(where: string, t: TypeDesc, value: unknown, action: ActionDesc): unknown {
  return value === null || value === undefined ? mismatch(where, "a value", value) : decode(where, t, value, action);
}

function decode(where: string, t: TypeDesc, value: unknown, action: ActionDesc): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof t === "string") return decodeScalar(where, t, value);
  if ("list" in t) {
    if (!Array.isArray(value)) return mismatch(where, "a list", value);
    return value.map((item, i) => decodeItem(`${where}[${i}]`, t.list, item, action));
  }
  if (typeof value !== "object" || Array.isArray(value)) return mismatch(where, "an object", value);
  if ("map" in t) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, decodeItem(`${where}.${k}`, t.map, v, action)]));
  }
  return decodeFields(where, action.structs[t.struct] ?? [], value as Values, action);
}

/**
 * The members of one answer object. A key the specs do not name is kept as it came, under its
 * wire name (the Python models' `model_extra`), unless a member already has that name.
 */
function decodeFields(prefix: string, fields: readonly FieldDesc[], values: Values, action: ActionDesc): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const wires = new Set<string>();
  for (const f of fields) {
    wires.add(f.wire);
    let value = values[f.wire];
    if (f.json && typeof value === "string") value = tolerantJson(value);
    const decoded = decode(prefix ? `${prefix}.${f.name}` : f.name, f.type, value, action);
    if (decoded !== undefined) out[f.name] = decoded;
  }
  for (const [key, value] of Object.entries(values)) {
    if (!wires.has(key) && !Object.hasOwn(out, key) && !fields.some((f) => f.name === key)) out[key] = value;
  }
  return out;
}

/**
 * An answer's body with members named as the response interface names them, JSON-style fields
 * decoded; a `WireMismatch` names a member whose value its type cannot hold.
 */
export function fromWire(action: ActionDesc, body: Values): Record<string, unknown> {
  return decodeFields("", action.response, body, action);
}
