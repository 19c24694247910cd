// Every action of the generated TypeScript SDK against the Python emulator (started by
// test_typescript_sdk.py, which passes its endpoint, keys, the cases and a control URL).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const env = process.env;
const sdk = await import(pathToFileURL(env.SDK_DIST).href);
const cases = JSON.parse(readFileSync(env.CASES, "utf8"));
const byAction = Object.fromEntries(cases.map((c) => [c.action, c]));

function client(options = {}) {
  return new sdk.Client({
    endpoint: env.EMULATOR_ENDPOINT,
    accessKeyId: env.TEST_KEY_ID,
    accessKeySecret: env.TEST_KEY_SECRET,
    retry: { baseDelay: 0.01 },
    ...options,
  });
}

async function control(path) {
  const answer = await fetch(`${env.CONTROL_URL}${path}`);
  assert.equal(answer.status, 200);
  return answer.json();
}

// Idle keep-alive sockets to the emulator would hold this process open for their timeout.
after(() => setTimeout(() => process.exit(), 200).unref());

const count = (action) => control(`/count?action=${encodeURIComponent(action)}`);

for (const signatureVersion of ["v3", "v1"]) {
  test(`every action, signed ${signatureVersion}`, async () => {
    const c = client({ signatureVersion });
    for (const { action, method, request } of cases) {
      const response = await c[method](request);
      assert.ok(response.requestId, `${action}: no requestId in ${JSON.stringify(response)}`);
      if (response.code !== undefined) assert.equal(response.code, "OK", action);
    }
  });
}

test("STS credentials, V3 and V1", async () => {
  for (const signatureVersion of ["v3", "v1"]) {
    const { method, request } = byAction[env.IDEMPOTENT_ACTION];
    const response = await client({ signatureVersion, securityToken: env.TEST_TOKEN })[method](request);
    assert.ok(response.requestId);
  }
});

test("a business error (HTTP 200, Code not OK) is thrown as its class", async () => {
  const { action, method, request } = byAction[env.PLACING_ACTION];
  await control(`/fail_next?code=${encodeURIComponent(env.BUSINESS_CODE)}&action=${action}`);
  const error = await client()[method](request).then(
    () => assert.fail("no error"),
    (e) => e,
  );
  assert.ok(error instanceof sdk[env.BUSINESS_CLASS], String(error));
  assert.ok(error instanceof sdk.RootError);
  assert.ok(error instanceof sdk.ClientError || error instanceof sdk.ServerError || error instanceof sdk.ThrottlingError);
  assert.equal(error.code, env.BUSINESS_CODE);
  assert.equal(error.httpStatus, 200);
  assert.equal(error.action, action);
  assert.equal(sdk.errorClass(env.BUSINESS_CODE), sdk[env.BUSINESS_CLASS]);
});

test("an idempotent action is retried after a 503", async () => {
  const { action, method, request } = byAction[env.IDEMPOTENT_ACTION];
  const before = await count(action);
  await control(`/fail_next?status=503&action=${action}`);
  const response = await client()[method](request);
  assert.ok(response.requestId);
  assert.equal((await count(action)) - before, 2);
});

test("a non-idempotent action is not retried after a 503", async () => {
  const { action, method, request } = byAction[env.PLACING_ACTION];
  const before = await count(action);
  await control(`/fail_next?status=503&action=${action}`);
  const error = await client()[method](request).then(
    () => assert.fail("no error"),
    (e) => e,
  );
  assert.ok(error instanceof sdk.ServerError, String(error));
  assert.equal(error.httpStatus, 503);
  assert.equal((await count(action)) - before, 1);
});

test("a connection that cannot be made is retried, then thrown", async () => {
  const { method, request } = byAction[env.PLACING_ACTION];
  const c = client({ endpoint: "http://127.0.0.1:9", retry: { maxAttempts: 2, baseDelay: 0.01 } });
  await assert.rejects(c[method](request), sdk.ConnectionFailedError);
});

test("constraints are checked before sending, naming the member", async () => {
  const { action, method, request, required: [required] } = byAction[env.PLACING_ACTION];
  const before = await count(action);
  const broken = { ...request, [required]: undefined };
  const error = await client()[method](broken).then(
    () => assert.fail("no error"),
    (e) => e,
  );
  assert.ok(error instanceof sdk.InvalidArgumentError, String(error));
  assert.equal(error.field, required);
  assert.match(error.message, new RegExp(`^${required}: `));
  const wrongType = await client()[method]({ ...request, [required]: 12345 }).then(() => null, (e) => e);
  assert.ok(wrongType instanceof sdk.InvalidArgumentError);
  const unknown = await client()[method]({ ...request, noSuchMember: 1 }).then(() => null, (e) => e);
  assert.ok(unknown instanceof sdk.InvalidArgumentError);
  assert.equal(await count(action), before);
});

test("a wrong secret is refused by the service and never shown", async () => {
  const { method, request } = byAction[env.IDEMPOTENT_ACTION];
  const secret = "not-the-secret-0123";
  const error = await client({ accessKeySecret: secret })[method](request).then(() => null, (e) => e);
  assert.ok(error instanceof sdk.RootError, String(error));
  assert.ok(!String(error).includes(secret) && !error.stack.includes(secret));
  const bad = (() => {
    try {
      client({ accessKeySecret: "has a space" });
    } catch (e) {
      return e;
    }
  })();
  assert.ok(bad instanceof sdk.CredentialsError);
  assert.ok(!bad.message.includes("has a space"));
});

test("credentials and endpoint from the environment", async () => {
  const saved = { ...process.env };
  try {
    process.env.ALIBABA_CLOUD_ACCESS_KEY_ID = env.TEST_KEY_ID;
    process.env.ALIBABA_CLOUD_ACCESS_KEY_SECRET = env.TEST_KEY_SECRET;
    process.env[sdk.ROOT_ENV_ENDPOINT ?? "DYVMSAPI_ENDPOINT"] = env.EMULATOR_ENDPOINT;
    const c = new sdk.Client();
    assert.equal(c.endpoint, env.EMULATOR_ENDPOINT);
    const { method, request } = byAction[env.IDEMPOTENT_ACTION];
    assert.ok((await c[method](request)).requestId);
  } finally {
    process.env = saved;
  }
});

test("an attempt that takes too long times out through AbortSignal", async () => {
  const { method, request } = byAction[env.IDEMPOTENT_ACTION];
  const controller = new AbortController();
  controller.abort(new Error("cancelled by the caller"));
  await assert.rejects(client()[method](request, { signal: controller.signal }), /cancelled by the caller/);
});
