// One hostile answer through the TypeScript SDK (test_parity_hostile.py scripts the server, runs
// the same case through the Python SDK and compares): what the call threw, and how fast.
import { inspect } from "node:util";
import { pathToFileURL } from "node:url";

const sdk = await import(pathToFileURL(process.env.SDK_DIST).href);
const c = JSON.parse(process.argv[2]);
const client = new sdk.Client({
  endpoint: c.endpoint,
  accessKeyId: "testid",
  accessKeySecret: c.secret,
  securityToken: c.token,
  timeout: c.timeout,
  deadline: c.deadline,
  maxBody: c.maxBody,
  retry: { maxAttempts: 2, baseDelay: 0.01 },
});
const began = performance.now();
let outcome;
try {
  const response = await client[c.method](c.request);
  outcome = { ok: true, response };
} catch (error) {
  if (!(error instanceof sdk.DyvmsapiError)) throw error;
  const shown = `${error}\n${error.stack}\n${inspect(error, { depth: 5 })}`;
  outcome = {
    ok: false,
    error: error.constructor.name,
    httpStatus: error.httpStatus ?? null,
    requestId: error.requestId ?? null,
    action: error.action ?? null,
    namesAction: String(error).includes(c.action),
    leaks: shown.includes(c.secret) || shown.includes(c.token),
  };
}
outcome.seconds = (performance.now() - began) / 1000;
console.log(JSON.stringify(outcome));
setTimeout(() => process.exit(0), 10).unref();
