/**
 * Pages of a list action: the loops behind `Client.<method>Pages` and `Client.<method>Items`, one
 * call of the action's own method per page (the Python runtime's `_pagination.py`).
 *
 * Each paginated action's module holds a `Paging` written from the specs' `pagination:`: the
 * request member the iteration sets (the page number, from `firstPage`; or the token the previous
 * answer gave), and where a response holds its items, the total and the next token. The iteration
 * asks for the first page, then for the next one, until:
 *
 * - a page holds no items;
 * - the items so far reach the total the answers state (for an action that states one);
 * - an answer gives no next token, or a token that came before (token style);
 * - `maxPages` pages were read: a guard against a service that never says it is done, which ends
 *   the iteration with a warning (`process.emitWarning`, type `RuntimeWarning`).
 *
 * Retries, errors and the checks of the request are the action method's.
 */

/** How many pages one iteration reads at the most. */
export const MAX_PAGES = 10_000;

/** How an action hands out its results a page at a time. Paths are member names from the response down. */
export interface Paging {
  readonly style: "page" | "token";
  /** The request member the iteration sets: the page number or the token. */
  readonly parameter: string;
  /** The page's list. */
  readonly items: readonly string[];
  /** The number of items in all pages. */
  readonly total?: readonly string[] | undefined;
  /** The next page's token (style token). */
  readonly next?: readonly string[] | undefined;
  /** The first page's number (style page). Default 1. */
  readonly firstPage?: number | undefined;
  /** How many pages one iteration reads at the most. Default {@link MAX_PAGES}. */
  readonly maxPages?: number | undefined;
}

type Values = Record<string, unknown>;

function at(value: unknown, path: readonly string[]): unknown {
  let current = value;
  for (const name of path) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Values)[name];
  }
  return current;
}

/** The items of one page (none when the answer lacks the list). */
export function itemsOf(paging: Paging, page: unknown): unknown[] {
  const found = at(page, paging.items);
  return Array.isArray(found) ? [...found] : [];
}

/** The members of the first request: those given (undefined and null are not given), and for pages by number the first page's. */
export function firstRequest(paging: Paging, request: object | undefined): Values {
  const given: Values = {};
  for (const [name, value] of Object.entries(request ?? {})) {
    if (value !== undefined && value !== null && name !== paging.parameter) given[name] = value;
  }
  if (paging.style === "page") given[paging.parameter] = paging.firstPage ?? 1;
  return given;
}

/** Where one iteration is: what the next request changes, or that there is none. */
class Walk {
  pages = 0;
  items = 0;
  number: number;
  readonly tokens = new Set<string>();

  constructor(readonly paging: Paging) {
    this.number = paging.firstPage ?? 1;
  }

  /** The member the request for the page after `page` changes; undefined: no such page. */
  after(page: unknown): Values | undefined {
    const p = this.paging;
    this.pages += 1;
    const count = itemsOf(p, page).length;
    this.items += count;
    const total = p.total !== undefined ? at(page, p.total) : undefined;
    if (count === 0 || (typeof total === "number" && Number.isInteger(total) && this.items >= total)) {
      return undefined;
    }
    let update: Values;
    if (p.style === "token") {
      const token = p.next !== undefined ? at(page, p.next) : undefined;
      if (typeof token !== "string" || !token || this.tokens.has(token)) return undefined;
      this.tokens.add(token);
      update = { [p.parameter]: token };
    } else {
      this.number += 1;
      update = { [p.parameter]: this.number };
    }
    if (this.pages >= (p.maxPages ?? MAX_PAGES)) {
      process.emitWarning(
        `stopped after ${this.pages} pages, the most one iteration reads; more may follow`,
        "RuntimeWarning",
      );
      return undefined;
    }
    return update;
  }
}

/** Every page: `call(request)`, then the requests `paging` makes of it, while pages follow. */
export async function* pages<Q extends object, R>(
  call: (request: Q) => Promise<R>,
  request: object | undefined,
  paging: Paging,
): AsyncGenerator<R, void, undefined> {
  const walk = new Walk(paging);
  let current: Values = firstRequest(paging, request);
  for (;;) {
    const page = await call(current as Q);
    yield page;
    const update = walk.after(page);
    if (update === undefined) return;
    current = { ...current, ...update };
  }
}

/** Every item of every page, in order. */
export async function* items<Q extends object, R, I>(
  call: (request: Q) => Promise<R>,
  request: object | undefined,
  paging: Paging,
): AsyncGenerator<I, void, undefined> {
  for await (const page of pages(call, request, paging)) {
    yield* itemsOf(paging, page) as I[];
  }
}
