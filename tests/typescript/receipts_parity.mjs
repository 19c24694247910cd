// The receipt side of the parity table through the TypeScript SDK (test_parity_receipts.py runs
// the same inputs through the Python SDK): each reader on each value, and whole bodies parsed.
import { pathToFileURL } from "node:url";

const dist = pathToFileURL(process.env.SDK_DIST);
const sdk = await import(dist.href);
const readers = await import(new URL("./runtime/receipts.js", dist).href);
const c = JSON.parse(process.argv[2]);
const clean = (value) => (value === undefined || Number.isNaN(value) ? null : value);

const values = {};
for (const name of ["asInt", "asFloat", "asBool", "asStr"]) {
  values[name] = c.values.map((text) => clean(readers[name](JSON.parse(text))));
}
const bodies = c.bodies.map(([type, body]) => {
  try {
    return sdk.parseReceipts(type, body).map((r) => Object.fromEntries(
      c.members[type].map(([member, wire]) => [wire, clean(r[member])])));
  } catch (error) {
    if (!(error instanceof sdk.ReceiptError)) throw error;
    return "ReceiptError";
  }
});
console.log(JSON.stringify({ values, bodies }));
