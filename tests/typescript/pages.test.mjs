// The page iterators of the generated TypeScript SDK: against the Python emulator (started by
// test_typescript_pages.py, which passes its endpoint, keys and list lengths), and the runtime's
// stop rules on made-up pages.
import { after, test } from "node:test";
import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const env = process.env;
const sdk = await import(pathToFileURL(env.SDK_DIST).href);
const runtime = await import(pathToFileURL(join(dirname(env.SDK_DIST), "runtime", "pagination.js")).href);

// Idle keep-alive sockets to the emulator would hold this process open for their timeout.
after(() => setTimeout(() => process.exit(), 200).unref());

function client() {
  return new sdk.Client({
    endpoint: env.EMULATOR_ENDPOINT,
    accessKeyId: env.TEST_KEY_ID,
    accessKeySecret: env.TEST_KEY_SECRET,
  });
}

async function collect(iterator) {
  const out = [];
  for await (const value of iterator) out.push(value);
  return out;
}

const pageCount = (length, size) => Math.ceil(length / size);

test("ListCallTask: every page, then every item (page numbers, items at the top)", async () => {
  const length = Number(env.LENGTH_ListCallTask);
  const c = client();
  const pages = await collect(c.listCallTaskPages({ pageSize: 7, status: "DONE" }));
  assert.equal(pages.length, pageCount(length, 7));
  assert.deepEqual(pages.map((p) => p.data.length), [7, 7, 7, length - 21]);
  assert.ok(pages.every((p) => p.total === length));
  const items = await collect(c.listCallTaskItems({ pageSize: 7, status: "DONE" }));
  assert.equal(items.length, length);
  assert.deepEqual(items.map((item) => item.id), [...Array(length).keys()]);
  const byDefault = await collect(c.listCallTaskPages({ status: "DONE" }));
  assert.equal(byDefault.length, pageCount(length, 10), "the default page size: 10");
});

test("ListHotlineTransferNumber: items under Data.Values, the total at Data.Total", async () => {
  const length = Number(env.LENGTH_ListHotlineTransferNumber);
  const c = client();
  const request = { qualificationId: "100", hotlineNumber: "400", pageSize: 5 };
  const pages = await collect(c.listHotlineTransferNumberPages(request));
  assert.equal(pages.length, pageCount(length, 5));
  assert.deepEqual(pages.map((p) => p.data.pageNo), [1, 2, 3]);
  const items = await collect(c.listHotlineTransferNumberItems(request));
  assert.equal(items.length, length);
  assert.equal(items[0].phoneNumber, "1580000****");
  assert.deepEqual(request, { qualificationId: "100", hotlineNumber: "400", pageSize: 5 }, "the caller's request is left as it was");
});

// ------------------------------------------------------------------------ the runtime on made-up pages

function fake(pagesByKey, key) {
  const seen = [];
  const call = async (request) => {
    seen.push(request);
    return pagesByKey(request[key]);
  };
  return { call, seen };
}

const byNumber = { style: "page", parameter: "page", items: ["data", "values"], total: ["data", "total"], firstPage: 0 };

test("page numbers: from firstPage, until an empty page or the total", async () => {
  let { call, seen } = fake((n) => ({ data: { values: n < 2 ? [n, n] : [], total: 100 } }), "page");
  assert.deepEqual(await collect(runtime.items(call, { page: 9, size: 2, gone: undefined }, byNumber)), [0, 0, 1, 1]);
  assert.deepEqual(seen, [{ page: 0, size: 2 }, { page: 1, size: 2 }, { page: 2, size: 2 }]);
  ({ call, seen } = fake((n) => ({ data: { values: [n, n], total: 5 } }), "page"));
  assert.equal((await collect(runtime.pages(call, {}, byNumber))).length, 3, "2 + 2 + 2 items reach 5");
  ({ call, seen } = fake(() => ({}), "page"));
  assert.equal((await collect(runtime.pages(call, undefined, byNumber))).length, 1, "no list: no items");
});

const byToken = { style: "token", parameter: "token", items: ["items"], next: ["nextToken"] };

test("tokens: none first, until no token or a token that came before", async () => {
  const answers = { undefined: "a", a: "b", b: "" };
  let { call, seen } = fake((t) => ({ items: [t ?? "-"], nextToken: answers[String(t)] }), "token");
  assert.deepEqual(await collect(runtime.items(call, { token: "given", other: 1 }, byToken)), ["-", "a", "b"]);
  assert.deepEqual(seen, [{ other: 1 }, { other: 1, token: "a" }, { other: 1, token: "b" }]);
  ({ call, seen } = fake((t) => ({ items: [1], nextToken: t === "x" ? "y" : "x" }), "token"));
  assert.equal((await collect(runtime.pages(call, {}, byToken))).length, 3, "pages of none, x, y; then x again: stop");
});

test("the page cap ends the iteration with a warning", async () => {
  const warnings = [];
  const listener = (warning) => warnings.push(warning);
  process.on("warning", listener);
  try {
    const { call } = fake(() => ({ items: [1] }), "page");
    const capped = { style: "page", parameter: "page", items: ["items"], maxPages: 3 };
    assert.equal((await collect(runtime.pages(call, {}, capped))).length, 3);
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(warnings.length, 1);
    assert.equal(warnings[0].name, "RuntimeWarning");
    assert.match(warnings[0].message, /stopped after 3 pages/);
    assert.equal(runtime.MAX_PAGES, 10000);
  } finally {
    process.off("warning", listener);
  }
});
