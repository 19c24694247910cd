/**
 * What a receipt consumer is told and what it tells: the product's {@link ReceiptSource} (the
 * generated `receipts.ts` fills it from the specs), the application's {@link ConsumerOptions}
 * and their checks (`InvalidArgumentError`), `run()`'s {@link RunOptions}, and
 * {@link ConsumerStats}.
 */

import { InvalidArgumentError } from "../errors.js";

/** Where a product's receipts wait and how to get credentials for them (from the specs). */
export interface ReceiptSource {
  readonly tokenProduct: string;
  readonly tokenApiVersion: string;
  readonly tokenEndpoint: string;
  /** The RPC action that hands out temporary queue credentials. */
  readonly tokenAction: string;
  /** Fetch new credentials this long before the current ones expire. */
  readonly refreshBeforeSeconds: number;
  readonly queueEndpoint: string;
  /** The MNS protocol version, sent as `x-mns-version`. */
  readonly protocolVersion: string;
  /** Messages per receive or delete, at most. */
  readonly maxBatch: number;
  /** The longest long poll. */
  readonly maxWaitSeconds: number;
  /** The zone of the token action's zone-less times, in minutes east of UTC (480: UTC+8). */
  readonly utcOffsetMinutes: number;
  /** How the token action is signed. */
  readonly signing: "v3" | "v1";
}

export interface ConsumerOptions {
  /** The queue's name, as the console shows it. Required. */
  queueName: string;
  /** Default: the environment variable ALIBABA_CLOUD_ACCESS_KEY_ID, as the client's. */
  accessKeyId?: string;
  /** Default: ALIBABA_CLOUD_ACCESS_KEY_SECRET. */
  accessKeySecret?: string;
  /** Default: ALIBABA_CLOUD_SECURITY_TOKEN, if set. */
  securityToken?: string;
  /** The token action's host or URL (such as `http://127.0.0.1:8080`). Default: the source's. */
  tokenEndpoint?: string;
  /** The queue's host or URL. Default: the source's. */
  queueEndpoint?: string;
  /** Messages per receive, 1 to the source's `maxBatch` (the default). */
  batch?: number;
  /** Seconds a receive waits for messages, 0 to the source's `maxWaitSeconds` (the default). */
  waitSeconds?: number;
  /** The first and the longest pause after a failed poll, in seconds. Default `[1, 60]`. */
  backoff?: readonly [number, number];
  /** How many handled receipts are remembered to drop redeliveries. Default 10000. */
  remember?: number;
  /** Seconds to connect and be answered, on top of the long poll. Default 10. */
  timeout?: number;
  /** The epoch milliseconds the token's expiry is judged on. Default `Date.now`. */
  clock?: () => number;
  /** Told of what the consumer survives: a handler that threw, an unreadable message, a failed
   * delete or poll. Default: `console.warn` / `console.error`. */
  log?: (level: "warn" | "error", message: string, error?: unknown) => void;
}

export interface RunOptions {
  /** Return once this many receipts were handled. */
  maxReceipts?: number;
  /** Return after this many seconds. */
  timeout?: number;
  /** Return when it aborts (as `stop()`). */
  signal?: AbortSignal;
}

/** What a consumer has done since it was made. */
export interface ConsumerStats {
  /** Receipts the handler accepted. */
  readonly handled: number;
  /** Receipts not handed over because an identical one was handled before. */
  readonly duplicates: number;
  /** Receipts whose handler threw (their message stays in the queue). */
  readonly failed: number;
  /** Messages whose body is not receipts of the type (left in the queue). */
  readonly unreadable: number;
  /** Messages deleted from the queue. */
  readonly deleted: number;
  /** Handled messages the queue did not delete (their redelivery is dropped as duplicates). */
  readonly deleteFailures: number;
  /** Temporary credentials fetched to replace earlier ones (the first fetch is not one). */
  readonly tokenRefreshes: number;
  /** Receives and deletes that failed: network, token action, queue or protocol errors. */
  readonly errors: number;
}

/** Throws `InvalidArgumentError` for a setting out of its range. */
export function checkSettings(
  source: ReceiptSource,
  queueName: unknown,
  batch: number,
  wait: number,
  backoff: readonly number[],
  remember: number,
  timeout: number,
): void {
  const whole = (n: unknown, low: number, high: number): boolean => Number.isInteger(n) && (n as number) >= low && (n as number) <= high;
  const fail = (message: string): never => {
    throw new InvalidArgumentError(message);
  };
  if (typeof queueName !== "string" || !queueName) fail("queueName is required");
  if (!whole(batch, 1, source.maxBatch)) fail(`batch must be a whole number from 1 to ${source.maxBatch}, not ${batch}`);
  if (!whole(wait, 0, source.maxWaitSeconds)) fail(`waitSeconds must be a whole number from 0 to ${source.maxWaitSeconds}, not ${wait}`);
  const [first, longest] = backoff;
  const ordered = typeof first === "number" && typeof longest === "number" && 0 <= first && first <= longest;
  if (backoff.length !== 2 || !ordered || !Number.isFinite(longest)) {
    fail(`backoff must be [first, longest] with 0 <= first <= longest, not ${JSON.stringify(backoff)}`);
  }
  if (!whole(remember, 0, Number.MAX_SAFE_INTEGER)) fail("remember must be a whole number, 0 or more");
  if (!(typeof timeout === "number" && Number.isFinite(timeout) && timeout > 0)) fail("timeout must be a positive number of seconds");
  if (source.signing !== "v3" && source.signing !== "v1") {
    fail(`source.signing must be 'v3' or 'v1', not ${JSON.stringify(source.signing)}`);
  }
}
