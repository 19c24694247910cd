// The answer side of the parity table through the TypeScript SDK's decoder (test_parity_decode.py
// reads the same bodies with the Python SDK's models): each value decoded, or "mismatch".
import { pathToFileURL } from "node:url";

const dist = pathToFileURL(process.env.SDK_DIST);
const wire = await import(new URL("./runtime/wire.js", dist).href);
const c = JSON.parse(process.argv[2]);
const out = [];
for (const { module, constant, descriptor, member, body } of c.cases) {
  const action = descriptor ?? (await import(new URL(`./actions/${module}.js`, dist).href))[constant];
  try {
    const value = wire.fromWire(action, JSON.parse(body))[member];
    out.push(value === undefined ? null : Number.isNaN(value) ? "NaN" : value === Infinity ? "inf" : value === -Infinity ? "-inf" : value);
  } catch (error) {
    if (!(error instanceof wire.WireMismatch)) throw error;
    out.push("mismatch");
  }
}
console.log(JSON.stringify(out));
