// Receipts of the generated TypeScript SDK: tolerant parsing, and a push receiver on loopback that
// the Python emulator pushes to (test_typescript_receipts.py passes the compiled package and a
// control URL that drives the emulator).
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { pathToFileURL } from "node:url";

const env = process.env;
const sdk = await import(pathToFileURL(env.SDK_DIST).href);

after(() => setTimeout(() => process.exit(), 200).unref());

async function control(path) {
  const answer = await fetch(`${env.CONTROL_URL}${path}`);
  assert.equal(answer.status, 200, path);
  return answer.json();
}

const MESSAGE = {
  call_id: "116012354148^10281378****",
  duration: "12",
  status_code: "200099", // not listed in the specs: kept as it came
  hangup_direction: "用户",
  ring_time: "",
  dtmf: { not: "a string" },
  something_new: "kept in raw",
};

test("a message is read tolerantly and kept whole in raw", () => {
  const [r] = sdk.parseReceipts("VoiceReport", JSON.stringify(MESSAGE));
  assert.equal(r.callId, MESSAGE.call_id);
  assert.equal(r.duration, 12);
  assert.equal(r.statusCode, "200099");
  assert.equal(r.hangupDirection, "用户");
  assert.equal(r.ringTime, "", "an empty string stays one, as in the Python SDK");
  assert.equal(r.dtmf, undefined, "a wrong shape");
  assert.equal(r.duration === undefined, false);
  assert.deepEqual(r.raw, MESSAGE);
  assert.equal(sdk.VoiceReport.MESSAGE_TYPE, "VoiceReport");
  assert.deepEqual(sdk.VoiceReport.parse({ duration: "x" }).duration, undefined);
  assert.equal(sdk.RECEIPT_TYPES.VoiceReport, sdk.VoiceReport);
});

test("a batch, bytes, and bodies that are not receipts", () => {
  const batch = new TextEncoder().encode(JSON.stringify([MESSAGE, { ...MESSAGE, call_id: "2" }]));
  assert.deepEqual(sdk.parseReceipts(sdk.VoiceReport, batch).map((r) => r.callId), [MESSAGE.call_id, "2"]);
  for (const body of ["not json", "[1, 2]", '"text"', "null", new Uint8Array([0xff, 0xfe])]) {
    assert.throws(() => sdk.parseReceipts("VoiceReport", body), sdk.ReceiptError, String(body));
  }
  assert.throws(() => sdk.parseReceipts("NoSuchType", "{}"), TypeError);
});

test("handle: the reply, duplicates dropped whatever the key order, 500, 400, 413", async () => {
  const got = [];
  let failing = false;
  const receiver = sdk.pushReceiver(
    "VoiceReport",
    async (r) => {
      if (failing) throw new Error("the database is down");
      got.push(r);
    },
    { maxBody: 1000, remember: 2, onError: () => {} },
  );
  assert.deepEqual(await receiver.handle(JSON.stringify(MESSAGE)), { status: 200, body: sdk.PUSH_REPLY });
  const reordered = Object.fromEntries(Object.entries(MESSAGE).reverse());
  assert.equal((await receiver.handle(JSON.stringify([reordered, MESSAGE]))).status, 200);
  assert.equal(got.length, 1, "the same receipt, handed over once");
  failing = true;
  assert.equal((await receiver.handle(JSON.stringify({ call_id: "3" }))).status, 500);
  failing = false;
  assert.equal((await receiver.handle(JSON.stringify({ call_id: "3" }))).status, 200);
  assert.equal(got.length, 2, "handed over again after the handler failed");
  assert.equal((await receiver.handle("{oops")).status, 400);
  assert.equal((await receiver.handle("x".repeat(1001))).status, 413);
  // remember: 2 — the oldest identity is forgotten once two others were handled
  await receiver.handle(JSON.stringify({ call_id: "4" }));
  await receiver.handle(JSON.stringify(MESSAGE));
  assert.equal(got.length, 4);
});

test("the listener answers the emulator's push, which retries after a 500", async () => {
  const got = [];
  let failing = true;
  const receiver = sdk.pushReceiver(
    sdk.VoiceReport,
    (r) => {
      if (failing) throw new Error("the database is down");
      got.push(r);
    },
    { onError: () => {} },
  );
  const server = createServer(receiver.listener);
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${server.address().port}/voice`;
    const bad = await fetch(url, { method: "GET" });
    assert.equal(bad.status, 405);
    await bad.text();
    const tooLarge = await fetch(url, { method: "POST", body: "x".repeat(11 * 1024 * 1024) });
    assert.equal(tooLarge.status, 413);
    await tooLarge.text();

    await control(`/push_to?type=VoiceReport&url=${encodeURIComponent(url)}`);
    const callId = await control("/call");
    const [first] = await control("/advance?seconds=600");
    assert.deepEqual([first.attempt, first.status, first.delivered], [1, 500, false]);
    assert.equal(got.length, 0);
    failing = false;
    const [second] = await control("/advance?seconds=60");
    assert.deepEqual([second.attempt, second.status, second.delivered], [2, 200, true]);
    assert.equal(got.length, 1);
    const [report] = got;
    assert.equal(report.callId, callId);
    assert.equal(report.outId, "order-7");
    assert.equal(typeof report.duration, "number");
    assert.equal(report.raw.call_id, callId);

    // the same batch again (as a service resends it): answered 200, not handed over again
    const again = await fetch(url, { method: "POST", body: JSON.stringify([report.raw]) });
    assert.equal(again.status, 200);
    assert.equal(await again.text(), sdk.PUSH_REPLY);
    assert.equal(got.length, 1);
    assert.deepEqual(await control("/advance?seconds=3600"), []);
  } finally {
    server.closeAllConnections?.();
    await new Promise((resolve) => server.close(resolve));
  }
});
