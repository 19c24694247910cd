/**
 * When to try a call again, and how long to wait first: the Python runtime's rules (`_retry.py`).
 *
 * A retry must never ring someone's phone twice:
 * - every action is retried when the request provably never reached the service (the connection
 *   could not be made) or the service answered that it throttled the call (it did nothing);
 * - an idempotent action is retried also after a timeout, a dropped connection, a 5xx answer, or
 *   an error code the table marks retryable;
 * - a call-placing action is never retried after the request may have been processed.
 *
 * Waits grow exponentially with full jitter; an `x-acs-retry-after` header (ms) is honoured.
 */

export type Outcome = "not-sent" | "throttled" | "maybe-processed" | "final";

export interface RetryOptions {
  /** Attempts in all, at least 1 (1: never retry). Default 3. */
  maxAttempts?: number;
  /** Seconds: the first wait's cap. Default 0.2. */
  baseDelay?: number;
  /** Seconds: no wait is longer. Default 10. */
  maxDelay?: number;
}

export class RetryPolicy {
  readonly maxAttempts: number;
  readonly baseDelay: number;
  readonly maxDelay: number;

  constructor(options: RetryOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 3;
    this.baseDelay = options.baseDelay ?? 0.2;
    this.maxDelay = options.maxDelay ?? 10;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new RangeError("RetryPolicy.maxAttempts must be an integer of at least 1");
    }
    for (const [name, value] of [["baseDelay", this.baseDelay], ["maxDelay", this.maxDelay]] as const) {
      if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
        throw new RangeError(`RetryPolicy.${name} must be a number of seconds, 0 or more`);
      }
    }
  }

  /** Whether attempt number `attempt` (1-based), which ended with `outcome`, gets another. */
  shouldRetry(outcome: Outcome, attempt: number, idempotent: boolean): boolean {
    if (attempt >= this.maxAttempts) return false;
    if (outcome === "not-sent" || outcome === "throttled") return true;
    return outcome === "maybe-processed" && idempotent;
  }

  /** Seconds to wait before attempt `attempt + 1`. */
  delay(attempt: number, retryAfterMs?: number): number {
    if (retryAfterMs !== undefined && retryAfterMs > 0) return Math.min(retryAfterMs / 1000, this.maxDelay);
    const cap = Math.min(this.maxDelay, this.baseDelay * 2 ** (attempt - 1));
    return Math.random() * cap;
  }
}
