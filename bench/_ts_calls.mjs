// One side of bench/typescript_calls.py, in its own Node process:
//   node _ts_calls.mjs ours|vendor PORT N SDK_DIST VENDOR_MODULES
// Prints JSON: CPU microseconds per call and calls per second against the echo server (build +
// sign + send + parse), and CPU microseconds per call with the network replaced by a canned answer.
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const [side, port, count, dist, vendorModules] = process.argv.slice(2);
const n = Number(count);
const CANNED = JSON.stringify({ RequestId: "bench-1", Code: "OK", Message: "OK", CallId: "116012854210^102814" });
const KEYS = { accessKeyId: "testid", accessKeySecret: "testsecret" };

async function measure(call) {
  for (let i = 0; i < Math.ceil(n / 3); i++) await call(); // past the JIT's warm-up
  const cpu = process.cpuUsage();
  const began = performance.now();
  for (let i = 0; i < n; i++) await call();
  const used = process.cpuUsage(cpu);
  return [(used.user + used.system) / n, n / ((performance.now() - began) / 1000)];
}

async function ours() {
  const { Client } = await import(pathToFileURL(dist).href);
  const request = { calledNumber: "13800000000", ttsCode: "TTS_10001", playTimes: 2, ttsParam: { code: "1234" } };
  const client = new Client({ ...KEYS, endpoint: `http://127.0.0.1:${port}`, retry: { maxAttempts: 1 } });
  const [cpu, rate] = await measure(() => client.singleCallByTts(request));
  const bytes = new TextEncoder().encode(CANNED).buffer;
  const answer = { status: 200, headers: new Headers({ "content-type": "application/json", "content-length": String(bytes.byteLength) }) };
  const canned = async () => ({ ...answer, arrayBuffer: async () => bytes }); // a canned answer, as the vendor's side has
  const offline = new Client({ ...KEYS, endpoint: "http://127.0.0.1:9", fetch: canned });
  const [local] = await measure(() => offline.singleCallByTts(request));
  return { cpuPerCall: cpu, callsPerS: rate, localCpuPerCall: local };
}

async function vendor() {
  const require = createRequire(join(vendorModules, "index.js"));
  const OpenApi = require("@alicloud/openapi-client");
  const OpenApiUtil = require("@alicloud/openapi-util").default;
  const Util = require("@alicloud/tea-util");
  const tea = require("@alicloud/tea-typescript");
  const params = new OpenApi.Params({
    action: "SingleCallByTts", version: "2017-05-25", protocol: "HTTP", pathname: "/", method: "POST",
    authType: "AK", style: "RPC", reqBodyType: "formData", bodyType: "json",
  });
  const request = () => new OpenApi.OpenApiRequest({
    query: OpenApiUtil.query({ CalledNumber: "13800000000", TtsCode: "TTS_10001", PlayTimes: 2, TtsParam: '{"code":"1234"}' }),
  });
  const make = (endpoint) => new OpenApi.default(new OpenApi.Config({ ...KEYS, endpoint, protocol: "http" }));
  const runtime = new Util.RuntimeOptions({});
  const client = make(`127.0.0.1:${port}`);
  const [cpu, rate] = await measure(() => client.callApi(params, request(), runtime));
  tea.doAction = async () => {
    const body = new tea.BytesReadable(CANNED);
    body.statusCode = 200;
    body.headers = { "content-type": "application/json;charset=utf-8" };
    return new tea.Response(body);
  };
  const offline = make("127.0.0.1:9");
  const [local] = await measure(() => offline.callApi(params, request(), runtime));
  return { cpuPerCall: cpu, callsPerS: rate, localCpuPerCall: local };
}

console.log(JSON.stringify(await (side === "ours" ? ours() : vendor())));
setTimeout(() => process.exit(0), 10).unref();
