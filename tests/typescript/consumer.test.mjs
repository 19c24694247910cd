// The pull consumer of the generated TypeScript SDK against the Python emulator's token action and
// queues (test_typescript_consumer.py passes the compiled package and a control URL that drives
// the emulator); a few answers the emulator never gives come from a small fake queue here.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { inspect } from "node:util";
import { pathToFileURL } from "node:url";

const env = process.env;
const dist = pathToFileURL(env.SDK_DIST);
const sdk = await import(dist.href);
const queue = await import(new URL("runtime/queue.js", dist).href);
const xml = await import(new URL("runtime/xml.js", dist).href);

after(() => setTimeout(() => process.exit(), 200).unref());

async function control(path) {
  const answer = await fetch(`${env.CONTROL_URL}${path}`);
  assert.equal(answer.status, 200, path);
  return answer.json();
}

const NS = "http://mns.aliyuncs.com/doc/v1/";
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
let offset = 0; // the emulator's clock minus ours, in ms: the consumers read the emulator's time
const clock = () => Date.now() + offset;
const logs = []; // what consumers survived, as they report it
const thrown = []; // every error a test saw, checked for secrets at the end
const shown = []; // everything else a consumer showed

async function advance(seconds) {
  offset = (await control(`/advance?seconds=${seconds}`)) * 1000 - Date.now();
}

const call = (number = "15900000000") => control(`/call?number=${number}`);
const queued = () => control("/queued?type=VoiceReport");

/** A consumer of the emulator's VoiceReport queue; `extra` overrides its options. */
async function consumerOf(handler, extra = {}) {
  const o = await control("/options?type=VoiceReport");
  offset = o.now * 1000 - Date.now();
  const c = sdk.consumer("VoiceReport", handler, {
    queueName: o.queue_name,
    tokenEndpoint: o.token_endpoint,
    queueEndpoint: o.queue_endpoint,
    accessKeyId: o.access_key_id,
    accessKeySecret: o.access_key_secret,
    clock,
    log: (level, message, error) => logs.push({ level, message, error }),
    ...extra,
  });
  shown.push(String(c), inspect(c, { showHidden: true, depth: 10 }));
  return c;
}

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    thrown.push(error);
    return error;
  }
  assert.fail("no error");
}

test("a placed call gives one typed receipt, deleted once handled and not seen again", async () => {
  const got = [];
  const c = await consumerOf((r) => got.push(r), { waitSeconds: 1 });
  const callId = await call();
  await advance(600);
  await c.run({ maxReceipts: 1, timeout: 20 });
  assert.deepEqual(got.map((r) => [r.callId, r.outId, r.statusCode, r.duration]), [[callId, "order-7", "200000", 10]]);
  assert.equal(got[0].raw.call_id, callId);
  assert.equal(await queued(), 0, "handled, so deleted");
  await advance(120); // past any visibility timeout: a message not deleted would be back
  assert.equal(await c.poll(), 0);
  assert.equal(got.length, 1);
  const stats = { handled: 1, duplicates: 0, failed: 0, unreadable: 0, deleted: 1, deleteFailures: 0, tokenRefreshes: 0, errors: 0 };
  assert.deepEqual(c.stats, stats);
});

test("a handler that throws gets the message again after the visibility timeout", async () => {
  const calls = [];
  const c = await consumerOf(
    async (r) => {
      calls.push(r.callId);
      if (calls.length === 1) throw new Error("the database is down");
    },
    { waitSeconds: 0 },
  );
  const callId = await call();
  await advance(600);
  assert.equal(await c.poll(), 0);
  assert.equal(c.stats.failed, 1);
  assert.equal(await queued(), 1, "not deleted");
  assert.equal(await c.poll(), 0, "hidden until the visibility timeout ends");
  await advance(31);
  assert.equal(await c.poll(), 1);
  assert.deepEqual(calls, [callId, callId]);
  assert.equal(await queued(), 0);
  const [failure] = logs.filter((l) => l.level === "error" && l.message.includes("handler threw"));
  assert.equal(failure.error.message, "the database is down");
});

test("a token is renewed when the queue refuses it, and before it expires on the clock", async () => {
  const before = await control("/seen");
  const got = [];
  const c = await consumerOf((r) => got.push(r.callee), { waitSeconds: 0 });
  await call("15900000001");
  await advance(600);
  assert.equal(await c.poll(), 1);
  await control("/expire_tokens"); // refused by the queue: the consumer gets a new one and goes on
  await call("15900000002");
  await advance(600);
  assert.equal(await c.poll(), 1);
  await advance(3600); // past the token's lifetime (its ExpireTime is UTC+8): renewed before use
  await call("15900000003");
  await advance(600);
  assert.equal(await c.poll(), 1);
  assert.equal(c.stats.tokenRefreshes, 2);
  assert.equal(c.stats.errors, 0);
  assert.deepEqual(got, ["15900000001", "15900000002", "15900000003"]);
  const seen = await control("/seen");
  assert.deepEqual(seen.tokens.slice(before.tokens.length), ["VoiceReport", "VoiceReport", "VoiceReport"]);
  const refused = seen.queue.slice(before.queue.length).filter((status) => status === 403);
  assert.equal(refused.length, 1, "only the expired token was refused: the clock's expiry was seen coming");
});

test("a receipt delivered again is dropped, and a late delete is counted", async () => {
  const got = [];
  const c = await consumerOf(
    async (r) => {
      got.push(r.callId);
      if (got.length === 1) await advance(31); // the handler outlasts the visibility timeout
    },
    { waitSeconds: 0 },
  );
  const callId = await call();
  await advance(600);
  assert.equal(await c.poll(), 1);
  assert.equal(c.stats.deleteFailures, 1, "the message was received again: its handle is stale");
  assert.ok(logs.some((l) => l.level === "warn" && l.message.includes("not deleted (MessageNotExist)")));
  assert.equal(await c.poll(), 0, "the redelivery is not handed over");
  assert.deepEqual(got, [callId]);
  assert.equal(c.stats.duplicates, 1);
  assert.equal(c.stats.deleted, 1);
  assert.equal(await queued(), 0);
});

test("a wrong queue name: the token action's typed error, or the queue's QueueError with its code", async () => {
  const c = await consumerOf(() => {}, { queueName: "Alicom-Queue-0-NoSuchQueue", waitSeconds: 0 });
  const error = await rejection(c.poll());
  assert.ok(error instanceof sdk.ClientError, String(error));
  assert.equal(error.code, "InvalidParameter");
  assert.equal(error.action, "QueryTokenForMnsQueue");
  assert.equal(c.stats.errors, 1);

  const fake = await fakeQueue(() => [404, errorXml("QueueNotExist", "The queue does not exist.", "R-404")]);
  const d = await consumerOf(() => {}, { queueEndpoint: fake.url, waitSeconds: 0 });
  const refused = await rejection(d.poll());
  assert.ok(refused instanceof sdk.QueueError && refused instanceof sdk.RootError, String(refused));
  assert.deepEqual([refused.code, refused.httpStatus, refused.category, refused.requestId], ["QueueNotExist", 404, "client", "R-404"]);
  assert.match(String(refused), /QueueNotExist: The queue does not exist/);
  fake.close();
});

test("partial deletes, bodies that fail their MD5, DTDs and server errors", async () => {
  const bodies = [[{ call_id: "c1", status_code: "200000" }], [{ call_id: "c2" }]];
  let receive = () => [200, messagesXml(bodies.map((b, i) => ({ id: `M${i + 1}`, handle: `h${i + 1}`, json: b })))];
  const fake = await fakeQueue((r) => {
    if (r.method === "DELETE") {
      assert.equal(r.headers["content-type"], "text/xml;charset=UTF-8");
      assert.match(r.body, /<ReceiptHandle>h1<\/ReceiptHandle><ReceiptHandle>h2<\/ReceiptHandle>/);
      return [404, `<Errors xmlns="${NS}"><Error><ErrorCode>ReceiptHandleError</ErrorCode><ErrorMessage>stale</ErrorMessage><ReceiptHandle>h2</ReceiptHandle></Error></Errors>`];
    }
    return receive();
  });
  const got = [];
  const c = await consumerOf((r) => got.push(r.callId), { queueEndpoint: fake.url, waitSeconds: 0 });
  assert.equal(await c.poll(), 2);
  assert.deepEqual(got, ["c1", "c2"]);
  assert.deepEqual([c.stats.deleted, c.stats.deleteFailures, c.stats.errors], [1, 1, 0]);
  receive = () => [200, messagesXml([{ id: "M3", handle: "h3", json: [{ call_id: "c3" }], md5: "0".repeat(32) }])];
  assert.ok((await rejection(c.poll())) instanceof sdk.InvalidResponseError);
  receive = () => [200, `<!DOCTYPE x [<!ENTITY a "b">]><Messages xmlns="${NS}"/>`];
  assert.match(String(await rejection(c.poll())), /InvalidResponseError: .*DTD/);
  receive = () => [503, errorXml("ServiceUnavailable", "busy", "R-503")];
  const busy = await rejection(c.poll());
  assert.deepEqual([busy.constructor, busy.code, busy.category], [sdk.QueueError, "ServiceUnavailable", "server"]);
  receive = () => [200, messagesXml([{ id: "M4", handle: "h4", json: "not receipts" }])];
  assert.equal(await c.poll(), 0);
  assert.equal(c.stats.unreadable, 1, "left in the queue");
  assert.equal(c.stats.errors, 3);
  fake.close();
});

test("stop() and an aborted signal end run(), even in a long poll or a backoff", async () => {
  const c = await consumerOf(() => {}, { waitSeconds: 30 }); // an empty queue: the poll waits 30 s
  let began = performance.now();
  const running = c.run();
  setTimeout(() => c.stop(), 300);
  await running;
  assert.ok(performance.now() - began < 5000, "stopped in the long poll");
  const abort = new AbortController();
  began = performance.now();
  const aborted = c.run({ signal: abort.signal });
  setTimeout(() => abort.abort(), 300);
  await aborted;
  assert.ok(performance.now() - began < 5000, "ended by its signal");
  const closed = await closedPort();
  const down = await consumerOf(() => {}, { queueEndpoint: `http://127.0.0.1:${closed}`, backoff: [30, 30], waitSeconds: 0 });
  began = performance.now();
  const failing = down.run();
  while (down.stats.errors === 0) await sleep(10);
  down.stop(); // wakes the 30 s backoff
  await failing;
  assert.ok(performance.now() - began < 5000, "stopped in the backoff");
  const pause = logs.find((l) => l.level === "warn" && l.message.includes("next poll in"));
  assert.match(pause.message, new RegExp(`ConnectionFailedError: could not connect to 127\\.0\\.0\\.1:${closed}: ECONNREFUSED`));
  thrown.push(...logs.map((l) => l.error).filter(Boolean));
  const done = performance.now();
  await c.run({ timeout: 0 });
  assert.ok(performance.now() - done < 1000, "a run with no time left polls not");
});

test("settings are checked", async () => {
  const bad = [
    [{ batch: 0 }, /batch must be a whole number from 1 to 16/],
    [{ batch: 17 }, /batch/],
    [{ waitSeconds: 31 }, /waitSeconds must be a whole number from 0 to 30/],
    [{ backoff: [2, 1] }, /backoff must be \[first, longest\]/],
    [{ remember: -1 }, /remember/],
    [{ timeout: 0 }, /timeout must be a positive number/],
    [{ queueName: "" }, /queueName is required/],
    [{ queueEndpoint: "ftp://x" }, /not an http\(s\) URL/],
  ];
  for (const [options, message] of bad) {
    await assert.rejects(consumerOf(() => {}, options), (e) => e instanceof sdk.InvalidArgumentError && message.test(e.message), JSON.stringify(options));
  }
  const c = await consumerOf(() => {});
  await assert.rejects(c.run({ maxReceipts: -1 }), sdk.InvalidArgumentError);
  assert.throws(() => sdk.consumer("NoSuchType", () => {}, { queueName: "q" }), TypeError);
});

test("the token's times and the XML reader's bounds", () => {
  const at = Date.UTC(2026, 11, 1, 10, 0, 0);
  assert.equal(queue.parseTime("2026-12-01 18:00:00", 480), at);
  assert.equal(queue.parseTime("2026-12-01T18:00:00", 480), at);
  assert.equal(queue.parseTime("2026-12-01T10:00:00Z", 480), at);
  assert.equal(queue.parseTime("2026-12-01T12:00:00+02:00", 480), at);
  assert.equal(queue.parseTime(String(at), 480), at);
  assert.equal(queue.parseTime(at, 480), at);
  for (const wrong of ["tomorrow", "2026-13-01 00:00:00", "", null]) {
    assert.throws(() => queue.parseTime(wrong, 480), sdk.InvalidResponseError, String(wrong));
  }
  const doc = xml.parseXml(`<?xml version="1.0"?><!-- c --><a:Error xmlns:a="${NS}"><a:Code>X &amp; Y&#33;</a:Code><Message><![CDATA[<m>]]></Message></a:Error>`);
  assert.deepEqual([xml.textOf(doc, "Code"), xml.textOf(doc, "Message")], ["X & Y!", "<m>"]);
  const refused = ["<a>", "<a></b>", "<a/><b/>", "text", "<a>&bogus;</a>", `<!DOCTYPE a><a/>`, "<x>".repeat(17) + "</x>".repeat(17)];
  for (const text of refused) assert.throws(() => xml.parseXml(text), xml.ProtocolError, text);
  assert.throws(() => xml.parseXml(`<a>${"<b/>".repeat(10_001)}</a>`), /too large/);
});

test("no secret in any error, log, toString or inspect output", async () => {
  const fake = createServer((req, res) => {
    req.resume();
    res.writeHead(200, { "content-type": "application/json" });
    res.end(JSON.stringify({ MessageTokenDTO: { AccessKeyId: "STS.x", AccessKeySecret: "TOPSECRET-1", SecurityToken: "TOPSECRET-2", ExpireTime: "x" } }));
  });
  await new Promise((resolve) => fake.listen(0, "127.0.0.1", resolve));
  const c = await consumerOf(() => {}, { tokenEndpoint: `http://127.0.0.1:${fake.address().port}`, waitSeconds: 0 });
  const error = await rejection(c.poll()); // no RequestId: not the service's answer, not shown
  assert.ok(error instanceof sdk.InvalidResponseError, String(error));
  fake.close();
  const o = await control("/options?type=VoiceReport");
  const secrets = [o.access_key_secret, "TOPSECRET", ...(await control("/tokens")).flat()];
  const texts = [
    ...shown,
    ...thrown.map((e) => `${e} ${e.stack} ${inspect(e, { showHidden: true, depth: 10 })}`),
    ...logs.map((l) => `${l.message} ${inspect(l.error, { showHidden: true, depth: 10 })}`),
  ];
  assert.ok(thrown.length >= 7 && secrets.length > 3, `${thrown.length} errors, ${secrets.length} secrets`);
  for (const secret of secrets) {
    assert.ok(!texts.some((t) => t.includes(secret)), "a secret is shown");
  }
  assert.ok(!texts.some((t) => /MNS STS\.|ACS3-HMAC-SHA256 Credential/.test(t)), "an Authorization header is shown");
});

// -- a fake queue, for answers the emulator does not give ------------------------------------------

function errorXml(code, message, requestId) {
  return `<?xml version="1.0" encoding="UTF-8"?><Error xmlns="${NS}"><Code>${code}</Code><Message>${message}</Message><RequestId>${requestId}</RequestId><HostId>h</HostId></Error>`;
}

function messagesXml(messages) {
  const items = messages.map(({ id, handle, json, md5 }) => {
    const body = Buffer.from(typeof json === "string" ? json : JSON.stringify(json)).toString("base64");
    const digest = md5 ?? createHash("md5").update(body).digest("hex").toUpperCase();
    return `<Message><MessageId>${id}</MessageId><ReceiptHandle>${handle}</ReceiptHandle><MessageBodyMD5>${digest}</MessageBodyMD5><MessageBody>${body}</MessageBody><EnqueueTime>1</EnqueueTime><DequeueCount>1</DequeueCount></Message>`;
  });
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Messages xmlns="${NS}">${items.join("")}</Messages>`;
}

/** A port nothing listens on. */
async function closedPort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** A queue on loopback whose every answer is `answer(request)`: `[status, body]`. */
async function fakeQueue(answer) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on("data", (chunk) => chunks.push(chunk));
    req.on("end", () => {
      const [status, body] = answer({ method: req.method, url: req.url, headers: req.headers, body: Buffer.concat(chunks).toString() });
      res.writeHead(status, { "content-type": "text/xml;charset=UTF-8", "x-mns-request-id": "R-header" });
      res.end(body);
    });
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    close: () => {
      server.close();
      server.closeAllConnections();
    },
  };
}
