// One case of the parity table through the TypeScript SDK (test_parity.py runs the same case
// through the Python SDK against the same emulator and compares the outcomes).
import { pathToFileURL } from "node:url";

const sdk = await import(pathToFileURL(process.env.SDK_DIST).href);
const c = JSON.parse(process.argv[2]);
const client = new sdk.Client({
  endpoint: process.env.EMULATOR_ENDPOINT,
  accessKeyId: process.env.TEST_KEY_ID,
  accessKeySecret: process.env.TEST_KEY_SECRET,
  signatureVersion: c.signature,
  retry: { maxAttempts: c.attempts, baseDelay: 0.01 },
});
let outcome;
try {
  const response = await client[c.method](c.request);
  outcome = { ok: true, result: Object.fromEntries(c.fields.map((f) => [f, response[f] ?? null])) };
} catch (error) {
  if (!(error instanceof sdk.DyvmsapiError)) throw error;
  outcome = { ok: false, error: error.constructor.name, code: error.code ?? null,
              httpStatus: error.httpStatus ?? null, retryable: error.retryable, action: error.action ?? null };
}
console.log(JSON.stringify(outcome));
setTimeout(() => process.exit(0), 10).unref();
