/**
 * Signed RPC requests and the service's answers, shared by the client and the receipts consumer:
 * credentials (given or from the environment, checked), the endpoint, a request signed V3 or V1,
 * a body read up to a limit, and an answer turned into its body or the error it carries.
 */

import { arch, platform } from "node:os";
import { CredentialsError, InvalidArgumentError, InvalidResponseError, RootError, errorFromBody } from "../errors.js";
import {
  DEFAULT_ENDPOINT,
  ENV_ACCESS_KEY_ID,
  ENV_ACCESS_KEY_SECRET,
  ENV_ENDPOINT,
  ENV_SECURITY_TOKEN,
  SDK_NAME,
  SDK_VERSION,
} from "../meta.js";
import type { Outcome } from "./retry.js";
import { encodeQuery, newNonce, signV1, signV3, utcTimestamp, v1Headers, v3Headers } from "./signing.js";

export const USER_AGENT = `${SDK_NAME}/${SDK_VERSION} (${platform()}; ${arch()}) Node.js/${process.versions.node}`;

/** What a credential may be, since it travels in a header: printable ASCII, no spaces. */
export const SAFE_HEADER_TEXT = /^[\x21-\x7e]+$/;

/** Credentials as given: any may be left out, for the environment's. */
export interface CredentialOptions {
  accessKeyId?: string | undefined;
  accessKeySecret?: string | undefined;
  securityToken?: string | undefined;
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
export function resolveCredentials(options: CredentialOptions): Credentials {
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

/** An answer's headers, by lower-cased name (`Headers` is one). */
export interface HeaderMap {
  get(name: string): string | null;
  forEach(visit: (value: string, name: string) => void): void;
}

export interface Answer {
  status: number;
  headers: HeaderMap;
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

/** The codes of a send's failure that prove the request was not sent: no connection, or no TLS session. */
export const NOT_SENT = new Set([
  "ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH", "UND_ERR_CONNECT_TIMEOUT",
  "DEPTH_ZERO_SELF_SIGNED_CERT", "SELF_SIGNED_CERT_IN_CHAIN", "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY", "CERT_HAS_EXPIRED", "CERT_NOT_YET_VALID", "ERR_TLS_CERT_ALTNAME_INVALID",
  "ERR_SSL_WRONG_VERSION_NUMBER",
]);

/**
 * The code (`ECONNREFUSED`) and class name (`TypeError`) of the deepest cause of a send's failure:
 * never its text, which may quote a header, and headers carry credentials.
 */
export function causeOf(error: unknown): { code: string | undefined; name: string } {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const cause: unknown = (current as Error & { cause?: unknown }).cause;
    if (!(cause instanceof Error)) break;
    current = cause;
  }
  const code = (current as { code?: unknown } | undefined)?.code;
  const name = current instanceof Error ? current.name : typeof current;
  return { code: typeof code === "string" ? code : undefined, name };
}
