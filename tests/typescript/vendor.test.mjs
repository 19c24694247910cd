// The vendor's Node runtime (@alicloud/openapi-client's generic call API) against the Python
// emulator (started by test_typescript_sdk.py): its V3 and V1 requests pass the signature check
// our SDKs pass, and a wrong secret does not.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createRequire } from "node:module";
import { join } from "node:path";

const env = process.env;
const require = createRequire(join(env.VENDOR_MODULES, "index.js"));
const OpenApi = require("@alicloud/openapi-client");
const OpenApiUtil = require("@alicloud/openapi-util").default;
const Util = require("@alicloud/tea-util");

after(() => setTimeout(() => process.exit(), 200).unref());

function call(signatureAlgorithm, secret = env.TEST_KEY_SECRET) {
  const config = new OpenApi.Config({
    accessKeyId: env.TEST_KEY_ID, accessKeySecret: secret, endpoint: env.EMULATOR_HOST, protocol: "http",
    signatureAlgorithm,
  });
  const client = new OpenApi.default(config);
  const params = new OpenApi.Params({
    action: "SingleCallByTts", version: "2017-05-25", protocol: "HTTP", pathname: "/", method: "POST",
    authType: "AK", style: "RPC", reqBodyType: "formData", bodyType: "json",
  });
  const request = new OpenApi.OpenApiRequest({
    query: OpenApiUtil.query({ CalledNumber: "13800000000", TtsCode: "TTS_1", TtsParam: '{"name":"张三"}' }),
  });
  return client.callApi(params, request, new Util.RuntimeOptions({ autoretry: false, maxAttempts: 1 }));
}

test("V3 (ACS3-HMAC-SHA256) as the vendor's Node runtime signs it", async () => {
  const answer = await call(undefined);
  assert.equal(answer.body.Code, "OK");
  assert.ok(answer.body.CallId);
});

test("V1 (HMAC-SHA1) as the vendor's Node runtime signs it", async () => {
  const answer = await call("v2");
  assert.equal(answer.body.Code, "OK");
});

test("a wrong secret is refused", async () => {
  await assert.rejects(call(undefined, "not-the-secret"), (error) => {
    assert.match(String(error.code ?? error.message), /SignatureDoesNotMatch|IncompleteSignature/);
    return true;
  });
});
