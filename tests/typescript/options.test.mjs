// The TypeScript client's options and answers beyond the happy path, against a small scripted
// server in this process: withOptions, rawResponse, unknown members kept, a fetch of one's own,
// maxBody, mistyped answers, and doubles inside JSON-text members written as Python writes them.
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { Agent, createServer } from "node:http";
import { pathToFileURL } from "node:url";

const sdk = await import(pathToFileURL(process.env.SDK_DIST).href);
const { toWire } = await import(new URL("./runtime/wire.js", pathToFileURL(process.env.SDK_DIST)).href);
const { flatten } = await import(new URL("./runtime/signing.js", pathToFileURL(process.env.SDK_DIST)).href);

const answers = []; // what the server sends next: [status, body, headers]
const seen = []; // the requests: { url, headers }
let server;
let endpoint;

before(async () => {
  server = createServer((request, response) => {
    seen.push({ url: request.url, headers: request.headers });
    const [status, body, headers] = answers.shift() ?? [200, { RequestId: "r-0", Code: "OK" }, {}];
    const text = typeof body === "string" ? body : JSON.stringify(body);
    response.writeHead(status, { "content-type": "application/json", "x-acs-request-id": "req-h", ...headers });
    response.end(text);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  endpoint = `http://127.0.0.1:${server.address().port}`;
});
after(() => {
  server.close();
  setTimeout(() => process.exit(), 100).unref();
});

const SECRET = "secret-that-must-never-leak";
const client = (options = {}) =>
  new sdk.Client({ endpoint, accessKeyId: "testid", accessKeySecret: SECRET, retry: { baseDelay: 0.01 }, ...options });
const TTS = { calledNumber: "13800000000", ttsCode: "TTS_1" };
const QUERY = { callId: "c", prodId: 11000000300006, queryDate: 1669032001000 };

test("rawResponse gives the HTTP answer a response was read from", async () => {
  answers.push([503, { RequestId: "r-1", Code: "ServiceUnavailable", Message: "busy" }, {}]);
  answers.push([200, { RequestId: "r-2", Code: "OK", CallId: "c-2" }, { "x-extra": "1" }]);
  const response = await client().queryCallDetailByCallId(QUERY);
  const raw = sdk.rawResponse(response);
  assert.equal(raw.status, 200);
  assert.equal(raw.attempts, 2, "the 503 was retried for a query");
  assert.equal(raw.headers["x-extra"], "1");
  assert.equal(raw.requestId, "req-h");
  assert.equal(JSON.parse(raw.body).CallId, "c-2");
  assert.ok(raw.elapsedMs >= 0 && raw.elapsedMs < 5000);
  assert.deepEqual(Object.keys(response).includes("rawResponse"), false, "the answer's members only");
  assert.equal(sdk.rawResponse({}), undefined);
});

test("members the specs do not know are kept under their wire names", async () => {
  answers.push([200, { RequestId: "r-3", Code: "OK", CallId: "c-3", NewField: { a: 1 } }, {}]);
  const response = await client().singleCallByTts(TTS);
  assert.equal(response.callId, "c-3");
  assert.deepEqual(response.NewField, { a: 1 });
  assert.equal(response.CallId, undefined, "a known member is only under its own name");
});

test("a mistyped answer is an InvalidResponseError naming the member and keeping the body", async () => {
  answers.push([200, { RequestId: "r-4", Code: "OK", CallId: { x: 1 } }, {}]);
  const error = await client().singleCallByTts(TTS).then(() => assert.fail("no error"), (e) => e);
  assert.ok(error instanceof sdk.InvalidResponseError, String(error));
  assert.match(error.message, /callId: a string is needed, not an object/);
  assert.equal(error.requestId, "r-4");
  assert.deepEqual(JSON.parse(error.body).CallId, { x: 1 });
  assert.equal(error.action, "SingleCallByTts");
});

test("withOptions changes some options and keeps the others", async () => {
  const base = client({ headers: { "x-app": "1" } });
  const quick = base.withOptions({ retry: { maxAttempts: 1 }, headers: { "x-app": "2" } });
  assert.ok(quick instanceof sdk.Client);
  assert.equal(quick.endpoint, base.endpoint);
  assert.equal(quick.retry.maxAttempts, 1);
  assert.equal(base.retry.maxAttempts, 3, "the first client is unchanged");
  answers.push([503, { RequestId: "r-5", Code: "ServiceUnavailable" }, {}]);
  const from = seen.length;
  const error = await quick.queryCallDetailByCallId(QUERY).catch((e) => e);
  assert.ok(error instanceof sdk.ServerError, String(error));
  assert.equal(seen.length - from, 1, "one attempt only");
  assert.equal(seen.at(-1).headers["x-app"], "2");
  assert.ok(!String(quick).includes(SECRET));
});

test("requests go through the fetch given, for proxies and instrumentation", async () => {
  const urls = [];
  const mine = (url, init) => {
    urls.push(String(url));
    return fetch(url, init);
  };
  const response = await client({ fetch: mine }).singleCallByTts(TTS);
  assert.ok(response.requestId);
  assert.equal(urls.length, 1);
  assert.ok(urls[0].startsWith(`${endpoint}/?`));
  assert.throws(() => client({ fetch: "yes" }), sdk.InvalidArgumentError);
});

test("maxBody: checked when the client is made, and a larger answer is not read", async () => {
  for (const maxBody of [10, 1.5e3 + 0.5, "2048", -1]) {
    assert.throws(() => client({ maxBody }), sdk.InvalidArgumentError, String(maxBody));
  }
  answers.push([200, { RequestId: "r-6", Code: "OK", CallId: "x".repeat(5000) }, {}]);
  const error = await client({ maxBody: 4096 }).singleCallByTts(TTS).catch((e) => e);
  assert.ok(error instanceof sdk.InvalidResponseError, String(error));
  assert.match(error.message, /larger than 4096 bytes/);
  assert.equal(error.httpStatus, 200);
});

test("a double inside a JSON-text member is written as the Python runtime writes it", () => {
  const action = {
    name: "X", idempotent: true, response: [], structs: { S: [{ name: "rate", wire: "Rate", type: "double" }] },
    params: [
      { name: "settings", wire: "Settings", type: { struct: "S" }, json: true },
      { name: "rates", wire: "Rates", type: { list: "double" }, json: true },
      { name: "names", wire: "Names", type: { map: "string" }, json: true },
    ],
  };
  const wire = flatten(toWire(action, { settings: { rate: 3 }, rates: [1, 0.5, 1e16, 1e-5], names: { 名: "张三", q: 'a"b' } }));
  assert.deepEqual(wire, [
    ["Settings", '{"Rate":3.0}'],
    ["Rates", "[1.0,0.5,1e+16,1e-05]"],
    ["Names", '{"名":"张三","q":"a\\"b"}'],
  ]);
});

test("a logger is told each attempt, and never a secret, URL or header", async () => {
  const lines = [];
  const logger = { debug: (m) => lines.push(["debug", m]), info: (m) => lines.push(["info", m]) };
  answers.push([503, { RequestId: "r-7", Code: "ServiceUnavailable" }, {}]);
  answers.push([200, { RequestId: "r-8", Code: "OK" }, {}]);
  const c = client({ logger, securityToken: "sts-token-that-must-never-leak" });
  await c.queryCallDetailByCallId(QUERY);
  assert.equal(lines.length, 2, JSON.stringify(lines));
  assert.equal(lines[0][0], "info");
  assert.match(lines[0][1], /^QueryCallDetailByCallId attempt 1: ServiceUnavailable \(HTTP 503, request id r-7, [\d.]+ ms\); retrying in [\d.]+ s$/);
  assert.equal(lines[1][0], "debug");
  assert.match(lines[1][1], /^QueryCallDetailByCallId attempt 2: HTTP 200, request id r-8, [\d.]+ ms$/);
  const text = JSON.stringify(lines);
  for (const secret of [SECRET, "sts-token-that-must-never-leak", "Signature", "ACS3", "?", "127.0.0.1"]) {
    assert.ok(!text.includes(secret), secret);
  }
  assert.throws(() => client({ logger: {} }), sdk.InvalidArgumentError);
});

test("requests go through the http.Agent given (a proxy agent, TLS settings, a pool)", async () => {
  let connections = 0;
  class Counting extends Agent {
    createConnection(...args) {
      connections += 1;
      return super.createConnection(...args);
    }
  }
  const agent = new Counting({ keepAlive: true });
  const c = client({ agent });
  await c.singleCallByTts(TTS);
  await c.singleCallByTts(TTS);
  assert.equal(connections, 1, "one kept-alive connection of the agent's served both calls");
  agent.destroy();
  assert.throws(() => client({ agent, fetch }), sdk.InvalidArgumentError, "agent or fetch, not both");
  assert.throws(() => client({ agent: "proxy" }), sdk.InvalidArgumentError);
});

test("JSON text with full-width punctuation or a trailing comma is repaired as the Python SDK does", async () => {
  answers.push([200, { RequestId: "r-9", Code: "OK", Data: '{"caller"："1"，"duration":"12",}' }, {}]);
  const response = await client().queryCallDetailByCallId(QUERY);
  assert.deepEqual({ caller: response.data.caller, duration: response.data.duration }, { caller: "1", duration: 12 });
});

test("a compressed answer is capped by what it holds, not by its declared length", async () => {
  const { gzipSync } = await import("node:zlib");
  const big = JSON.stringify({ RequestId: "r-10", Code: "OK", CallId: "x".repeat(200_000) });
  const packed = gzipSync(big);
  const zipped = createServer((request, response) => {
    response.writeHead(200, { "content-type": "application/json", "content-encoding": "gzip", "content-length": packed.length });
    response.end(packed);
  });
  await new Promise((resolve) => zipped.listen(0, "127.0.0.1", resolve));
  try {
    const c = client({ endpoint: `http://127.0.0.1:${zipped.address().port}`, fetch, maxBody: 65536 });
    const error = await c.singleCallByTts(TTS).catch((e) => e);
    assert.ok(packed.length < 65536 && big.length > 65536);
    assert.ok(error instanceof sdk.InvalidResponseError, String(error));
    assert.match(error.message, /larger than 65536 bytes/);
  } finally {
    zipped.close();
  }
});

test("a signal aborted before the call rejects at once and leaves no timer behind", async () => {
  const { spawnSync } = await import("node:child_process");
  const script = `
    const sdk = await import(${JSON.stringify(pathToFileURL(process.env.SDK_DIST).href)});
    const c = new sdk.Client({ endpoint: ${JSON.stringify(endpoint)}, accessKeyId: "id", accessKeySecret: "s" });
    const signal = AbortSignal.abort(new Error("cancelled"));
    await c.cancelCall({ callId: "x" }, { signal }).catch((e) => console.log(e.message));`;
  const began = Date.now();
  const run = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8", timeout: 20_000 });
  assert.equal(run.stdout.trim(), "cancelled", run.stderr);
  assert.ok(Date.now() - began < 5000, "the process ended without waiting for an attempt timer");
});

test("many calls at once share at most 64 connections", async () => {
  let open = 0;
  let peak = 0;
  const counting = createServer((request, response) => {
    setTimeout(() => {
      response.writeHead(200, { "content-type": "application/json" });
      response.end(JSON.stringify({ RequestId: "r", Code: "OK" }));
    }, 20);
  });
  counting.on("connection", (socket) => {
    peak = Math.max(peak, ++open);
    socket.on("close", () => open--);
  });
  await new Promise((resolve) => counting.listen(0, "127.0.0.1", resolve));
  try {
    const c = client({ endpoint: `http://127.0.0.1:${counting.address().port}` });
    const answers = await Promise.all(Array.from({ length: 150 }, () => c.cancelCall({ callId: "x" })));
    assert.equal(answers.length, 150);
    assert.ok(peak > 1 && peak <= 64, `peak ${peak}`);
  } finally {
    counting.closeAllConnections();
    counting.close();
  }
});

test("every option is checked when the client is made, as the Python client checks its arguments", () => {
  for (const bad of [{ timeout: "10" }, { retry: 5 }, { retry: { maxAttempts: 0 } }, { retry: { baseDelay: NaN } },
    { protocol: "ftp" }, { deadline: -1 }, { maxBody: 10 }, { headers: { "Bad Name": "x" } },
    { headers: { Authorization: "x" } }, { headers: { "X-Acs-Signature-Nonce": "n" } }, { headers: { "x-a": "line\nbreak" } },
    { headers: "x" }, { signatureVersion: "v2" }, { endpoint: "ftp://x" }, { logger: 3 }]) {
    assert.throws(() => client(bad), sdk.InvalidArgumentError, JSON.stringify(bad));
  }
  assert.doesNotThrow(() => client({ headers: { "x-app": "name/1.0 (test)" }, retry: new sdk.RetryPolicy({ maxAttempts: 1 }) }));
});

test("https: the certificate is checked, and an agent of one's own can trust another authority", async () => {
  const { readFileSync } = await import("node:fs");
  const { createServer: createTlsServer, Agent: TlsAgent } = await import("node:https");
  const [cert, key] = [readFileSync(process.env.CERT_FILE), readFileSync(process.env.KEY_FILE)];
  let requests = 0;
  const secure = createTlsServer({ cert, key }, (request, response) => {
    requests += 1;
    response.writeHead(200, { "content-type": "application/json" });
    response.end(JSON.stringify({ RequestId: "r-tls", Code: "OK" }));
  });
  await new Promise((resolve) => secure.listen(0, "127.0.0.1", resolve));
  const at = `https://127.0.0.1:${secure.address().port}`;
  try {
    const refused = await client({ endpoint: at }).cancelCall({ callId: "x" }).catch((e) => e);
    assert.ok(refused instanceof sdk.ConnectionFailedError, String(refused));
    assert.match(refused.message, /could not connect to 127\.0\.0\.1:\d+: [A-Z_]+/);
    assert.equal(requests, 0, "nothing reached the server");
    const agent = new TlsAgent({ ca: cert, keepAlive: true });
    const answer = await client({ endpoint: at, agent }).cancelCall({ callId: "x" });
    assert.equal(answer.requestId, "r-tls");
    agent.destroy();
  } finally {
    secure.closeAllConnections();
    secure.close();
  }
});
