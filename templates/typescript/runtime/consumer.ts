/**
 * Pulling receipts from the product's message queue: `Consumer` (the Python runtime's
 * `_consumer.py`).
 *
 *     const c = consumer("SomeReport", async (receipt) => save(receipt), { queueName: "<the queue>" });
 *     await c.run(); // until c.stop(), or run({ maxReceipts, timeout, signal })
 *
 * One `poll()` is: temporary queue credentials from the token action (fetched before the first
 * receive and again `refreshBeforeSeconds` before they expire, judged on `clock`; and once more
 * when the queue refuses them), one long poll of up to `batch` messages, the handler called (and
 * awaited) once per receipt in message order, then a batch delete of the messages whose receipts
 * were all handled. A message whose handler threw stays in the queue and comes back after its
 * visibility timeout. Delivery is at least once; receipts handled recently (`remember` of them, by
 * type and content) are not handed over again when the queue redelivers them.
 *
 * `poll()` rejects with the SDK's errors (`ConnectionFailedError`, `RequestTimeoutError`,
 * {@link QueueError}, the token action's typed errors, `InvalidResponseError`); `run()` reports
 * them through `log` and waits (exponential backoff with jitter) before polling again. An empty
 * long poll is no error. No message, error, `toString()` or `util.inspect` output holds a
 * secret: the AccessKey secret, the temporary secret and token and the Authorization headers are
 * kept in private fields and only used to sign and sent.
 *
 * Unlike Python's, `stop()` also ends a long poll or a backoff in progress at once (nothing is lost:
 * messages not yet received stay in the queue); handlers and deletes under way are finished. The
 * pieces: `settings.ts` (the source, the options and their checks), `queue.ts` (one HTTP exchange,
 * the queue's errors, the token's answer), `mns.ts` (the queue protocol) and `xml.ts` (its reader).
 */

import { InvalidArgumentError, InvalidResponseError, RootError } from "../errors.js";
import { type Credentials, USER_AGENT, parseEndpoint, prepareRpc, resolveCredentials } from "./rpc.js";
import * as mns from "./mns.js";
import { type Answer, type Request, type Token, authFailure, queueError, readToken, send } from "./queue.js";
import { type Receipt, type ReceiptKind, ReceiptError, Seen, identity, parseBody } from "./receipts.js";
import { type ConsumerOptions, type ConsumerStats, type ReceiptSource, type RunOptions, checkSettings } from "./settings.js";

export { AUTH_CODES, QueueError, parseTime } from "./queue.js";
export type { ConsumerOptions, ConsumerStats, ReceiptSource, RunOptions } from "./settings.js";

type Tally = { -readonly [K in keyof ConsumerStats]: number };

/** Pulls receipts of one type from a queue and calls the handler with each: see the module comment. */
export class Consumer<R extends Receipt> {
  readonly queueName: string;
  readonly #source: ReceiptSource;
  readonly #credentials: Credentials;
  readonly #tokenAt: [string, string];
  readonly #queueAt: [string, string];
  readonly #batch: number;
  readonly #wait: number;
  readonly #backoff: readonly [number, number];
  readonly #timeout: number;
  readonly #clock: () => number;
  readonly #log: NonNullable<ConsumerOptions["log"]>;
  readonly #seen: Seen;
  readonly #tally: Tally = {
    handled: 0, duplicates: 0, failed: 0, unreadable: 0,
    deleted: 0, deleteFailures: 0, tokenRefreshes: 0, errors: 0,
  };
  #token: Token | undefined;
  #failures = 0; // consecutive failed polls, for the backoff
  #stopping = false;
  #wake: AbortController | undefined; // aborts run()'s long poll or backoff on stop()
  #busy: Promise<unknown> = Promise.resolve(); // one poll at a time

  constructor(
    readonly kind: ReceiptKind<R>,
    readonly handler: (receipt: R) => unknown,
    source: ReceiptSource,
    options: ConsumerOptions,
  ) {
    this.#source = source;
    this.#batch = options.batch ?? source.maxBatch;
    this.#wait = options.waitSeconds ?? source.maxWaitSeconds;
    this.#backoff = options.backoff ?? [1, 60];
    this.#timeout = options.timeout ?? 10;
    checkSettings(source, options.queueName, this.#batch, this.#wait, this.#backoff, options.remember ?? 10_000, this.#timeout);
    this.queueName = options.queueName;
    this.#credentials = resolveCredentials(options);
    this.#tokenAt = parseEndpoint(options.tokenEndpoint || source.tokenEndpoint, "https");
    this.#queueAt = parseEndpoint(options.queueEndpoint || source.queueEndpoint, "https");
    this.#clock = options.clock ?? Date.now;
    this.#log = options.log ?? ((level, message, error) => console[level](message, ...(error === undefined ? [] : [error])));
    this.#seen = new Seen(options.remember ?? 10_000);
  }

  get stats(): ConsumerStats {
    return { ...this.#tally };
  }

  toString(): string {
    return `Consumer[${this.kind.MESSAGE_TYPE}](queue=${JSON.stringify(this.queueName)})`;
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }

  /** One receive, the handler on each receipt, the deletes: the number of receipts handled. */
  poll(): Promise<number> {
    return this.#exclusive(() => this.#polling(this.#batch, this.#wait, undefined));
  }

  /** Polls until `stop()`, `maxReceipts` receipts handled, `timeout` seconds or `signal`. */
  async run(options: RunOptions = {}): Promise<void> {
    const { maxReceipts, timeout, signal } = options;
    if (maxReceipts !== undefined && !(Number.isInteger(maxReceipts) && maxReceipts >= 0)) {
      throw new InvalidArgumentError("maxReceipts must be a whole number, 0 or more");
    }
    if (timeout !== undefined && !(typeof timeout === "number" && timeout >= 0)) {
      throw new InvalidArgumentError("timeout must be a number of seconds, 0 or more");
    }
    const deadline = timeout === undefined ? undefined : performance.now() + timeout * 1000;
    const onAbort = (): void => this.stop();
    if (signal?.aborted) this.#stopping = true;
    signal?.addEventListener("abort", onAbort, { once: true });
    let handled = 0;
    try {
      for (;;) {
        const next = this.#next(deadline, maxReceipts, handled);
        if (next === undefined) break;
        const [batch, wait] = next;
        const wake = (this.#wake = new AbortController());
        try {
          handled += await this.#exclusive(() => this.#polling(batch, wait, wake.signal));
          this.#failures = 0;
        } catch (error) {
          if (!(error instanceof RootError)) throw error;
          await pause(this.#backoffAfter(error, deadline), wake.signal);
        }
      }
    } finally {
      signal?.removeEventListener("abort", onAbort);
      this.#wake = undefined;
      this.#stopping = false;
    }
  }

  /** Makes `run()` return: at once from a long poll or a backoff, else after the poll in progress.
   * (Called while no `run()` is going, it makes the next one return at once.) */
  stop(): void {
    this.#stopping = true;
    this.#wake?.abort();
  }

  #exclusive<T>(task: () => Promise<T>): Promise<T> {
    const result = this.#busy.then(task, task);
    this.#busy = result.catch(() => undefined);
    return result;
  }

  // -- one poll ----------------------------------------------------------------------------------

  async #polling(batch: number, wait: number, wake: AbortSignal | undefined): Promise<number> {
    let messages: mns.Message[];
    try {
      const answer = await this.#exchange((t) => this.#receiveCall(batch, wait, t), this.#timeout + wait, wake);
      messages = answer === undefined ? [] : this.#messages(answer);
    } catch (error) {
      if (error instanceof RootError) this.#tally.errors++;
      throw error;
    }
    let handled = 0;
    const done: mns.Message[] = [];
    for (const message of messages) {
      const receipts = this.#receipts(message);
      let complete = receipts !== undefined;
      for (const receipt of receipts ?? []) {
        const key = identity(this.kind.MESSAGE_TYPE, receipt);
        if (this.#seen.has(key)) {
          this.#tally.duplicates++;
          continue;
        }
        try {
          await this.handler(receipt);
        } catch (error) {
          this.#tally.failed++;
          const what = `the ${this.kind.MESSAGE_TYPE} handler threw on message ${message.messageId}`;
          this.#log("error", `${what}; the message stays in the queue`, error);
          complete = false;
          continue;
        }
        this.#seen.add(key);
        this.#tally.handled++;
        handled++;
      }
      if (complete) done.push(message);
    }
    for (let start = 0; start < done.length; start += this.#source.maxBatch) {
      await this.#deleting(done.slice(start, start + this.#source.maxBatch));
    }
    return handled;
  }

  /** The queue's answer to `call` signed with valid credentials, and once more with new ones when
   * the queue refuses them (its clock may be ahead of ours); undefined when `wake` aborted it. */
  async #exchange(call: (token: Token) => Request, seconds: number, wake?: AbortSignal): Promise<Answer | undefined> {
    let token = this.#token;
    if (token === undefined || this.#clock() >= token.expiresAt - this.#source.refreshBeforeSeconds * 1000) {
      token = await this.#refreshing(wake);
      if (token === undefined) return undefined;
    }
    const answer = await send(call(token), seconds, wake);
    if (answer === undefined || !authFailure(answer)) return answer;
    const fresh = await this.#refreshing(wake);
    return fresh === undefined ? undefined : send(call(fresh), seconds, wake);
  }

  /**
   * New temporary credentials from the token action (an error answer is thrown, typed); undefined
   * when `wake` aborted the request (a `stop()` does not wait for the token action).
   */
  async #refreshing(wake?: AbortSignal): Promise<Token | undefined> {
    const src = this.#source;
    const [scheme, host] = this.#tokenAt;
    const params: [string, string][] = [["MessageType", this.kind.MESSAGE_TYPE], ["QueueName", this.queueName]];
    const credentials = this.#credentials;
    const [action, version, signatureVersion] = [src.tokenAction, src.tokenApiVersion, src.signing];
    const signed = prepareRpc({ scheme, host, action, version, params, credentials, signatureVersion });
    const { host: _host, ...headers } = signed.headers; // fetch sends the URL's host itself
    const answer = await send({ url: signed.url, method: "POST", headers }, this.#timeout, wake);
    if (answer === undefined) return undefined;
    const token = readToken(answer, src.tokenAction, src.utcOffsetMinutes);
    if (this.#token !== undefined) this.#tally.tokenRefreshes++;
    return (this.#token = token);
  }

  /** Deletes `batch`; a failure is logged and counted, not thrown (its receipts are remembered). */
  async #deleting(batch: mns.Message[]): Promise<void> {
    let answer: Answer;
    try {
      answer = (await this.#exchange((t) => this.#deleteCall(batch, t), this.#timeout)) as Answer;
    } catch (error) {
      if (!(error instanceof RootError)) throw error;
      return this.#notDeleted(batch, batch, error.message);
    }
    if (answer.status >= 200 && answer.status < 300) {
      this.#tally.deleted += batch.length;
      return;
    }
    let failed = new Map<string, [string, string]>(); // handle → [code, message] of a partial failure
    try {
      failed = mns.parseDeleteErrors(answer.text);
    } catch {
      // not an Errors document: the whole delete failed
    }
    const left = batch.filter((m) => failed.has(m.receiptHandle));
    if (left.length === 0) return this.#notDeleted(batch, batch, String(queueError(answer)));
    const codes = [...new Set([...failed.values()].map(([code]) => code))].sort();
    return this.#notDeleted(batch, left, codes.join(", "));
  }

  /** Logs and counts the handled messages of `batch` that the queue kept (`left`). */
  #notDeleted(batch: mns.Message[], left: mns.Message[], reason: string): void {
    if (left.length === batch.length) this.#tally.errors++; // nothing deleted: the delete failed
    this.#tally.deleteFailures += left.length;
    this.#tally.deleted += batch.length - left.length;
    const ids = left.map((m) => m.messageId).join(", ");
    const what = `${left.length} of ${batch.length} handled messages were not deleted (${reason}): ${ids}`;
    this.#log("warn", `queue ${JSON.stringify(this.queueName)}: ${what}; their receipts are remembered`);
  }

  // -- the requests and the answers --------------------------------------------------------------

  #queueCall(method: string, resource: string, token: Token, body?: Uint8Array): Request {
    const headers: Record<string, string> = { "x-mns-version": this.#source.protocolVersion, Date: mns.httpDate() };
    if (body !== undefined) headers["Content-Type"] = mns.CONTENT_TYPE;
    headers["Authorization"] = mns.authorization(method, resource, headers, token.accessKeyId, token.accessKeySecret);
    headers["security-token"] = token.securityToken;
    headers["user-agent"] = USER_AGENT;
    const [scheme, host] = this.#queueAt;
    return { url: `${scheme}://${host}${resource}`, method, headers, body };
  }

  #receiveCall(batch: number, wait: number, token: Token): Request {
    return this.#queueCall("GET", mns.receiveResource(this.queueName, batch, wait), token);
  }

  #deleteCall(messages: mns.Message[], token: Token): Request {
    const body = mns.deleteBody(messages.map((m) => m.receiptHandle));
    return this.#queueCall("DELETE", mns.deleteResource(this.queueName), token, body);
  }

  #messages(answer: Answer): mns.Message[] {
    if (answer.status === 200) {
      try {
        return mns.parseMessages(answer.text);
      } catch (error) {
        if (!(error instanceof mns.ProtocolError)) throw error;
        throw new InvalidResponseError(`queue ${JSON.stringify(this.queueName)}: ${error.message}`, { httpStatus: 200 });
      }
    }
    const error = queueError(answer);
    if (error.code === "MessageNotExist") return [];
    throw error;
  }

  #receipts(message: mns.Message): R[] | undefined {
    try {
      return parseBody(this.kind, message.body);
    } catch (error) {
      if (!(error instanceof ReceiptError)) throw error;
      this.#tally.unreadable++;
      const what = `message ${message.messageId} is not ${this.kind.MESSAGE_TYPE} receipts`;
      this.#log("error", `queue ${JSON.stringify(this.queueName)}: ${what}; it is left in the queue: ${error.message}`);
      return undefined;
    }
  }

  // -- the loop of run() -------------------------------------------------------------------------

  /** `[batch, wait seconds]` of `run()`'s next poll, or undefined when `run()` is done. */
  #next(deadline: number | undefined, maxReceipts: number | undefined, handled: number): [number, number] | undefined {
    const remaining = deadline === undefined ? undefined : (deadline - performance.now()) / 1000;
    if (this.#stopping || (remaining !== undefined && remaining <= 0)) return undefined;
    if (maxReceipts !== undefined && handled >= maxReceipts) return undefined;
    const batch = maxReceipts === undefined ? this.#batch : Math.min(this.#batch, maxReceipts - handled);
    return [batch, remaining === undefined ? this.#wait : Math.min(this.#wait, Math.ceil(remaining))];
  }

  /** Milliseconds to wait after the failed poll `error` (logged), at most until `deadline`. */
  #backoffAfter(error: RootError, deadline: number | undefined): number {
    this.#failures++;
    const [first, longest] = this.#backoff;
    const cap = Math.min(longest, first * 2 ** Math.min(this.#failures - 1, 64));
    const delay = (cap / 2 + Math.random() * (cap / 2)) * 1000;
    const next = `next poll in ${(delay / 1000).toFixed(2)} s`;
    this.#log("warn", `polling queue ${JSON.stringify(this.queueName)} failed (${String(error)}); ${next}`);
    return deadline === undefined ? delay : Math.max(0, Math.min(delay, deadline - performance.now()));
  }
}

/** Waits `ms`, or less when `signal` aborts. */
function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done, { once: true });
  });
}
