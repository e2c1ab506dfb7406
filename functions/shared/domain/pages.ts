import type { Page, PageRequest } from '../ports.ts';

/** Every page of a paged list, fetched as the caller iterates. */
export async function* eachPage<T>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  pageSize = 200,
): AsyncGenerator<T[]> {
  let cursor: string | undefined;
  do {
    const page = await fetch({ limit: pageSize, ...(cursor ? { cursor } : {}) });
    yield page.items;
    cursor = page.cursor;
  } while (cursor);
}

/**
 * Merges streams each sorted by `compare` into one sorted stream, reading each only as far as
 * the consumer reads (a k-way merge: the dashboard's pages read a few dozen items of each).
 */
export async function* mergeSorted<T>(
  streams: AsyncIterator<T>[],
  compare: (a: T, b: T) => number,
): AsyncGenerator<T> {
  const heads = await Promise.all(streams.map((s) => s.next()));
  for (;;) {
    let best = -1;
    for (const [i, head] of heads.entries()) {
      if (head.done) continue;
      const current = heads[best];
      if (best < 0 || (current && !current.done && compare(head.value, current.value) < 0)) best = i;
    }
    const winner = heads[best];
    const stream = streams[best];
    if (best < 0 || !winner || winner.done || !stream) return;
    yield winner.value;
    heads[best] = await stream.next();
  }
}

/** Every item of a paged list, fetched page by page as the caller iterates (never one unbounded call). */
export async function* eachItem<T>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  pageSize = 200,
): AsyncGenerator<T> {
  for await (const items of eachPage(fetch, pageSize)) yield* items;
}

/**
 * Every item of a paged list, read page by page (never one unbounded call). For lists a page
 * shows whole, such as one hazard's history or one unit's hazards.
 */
export function allPages<T>(fetch: (page: PageRequest) => Promise<Page<T>>, pageSize = 200): Promise<T[]> {
  return collect(eachItem(fetch, pageSize));
}

/** Every item of an async stream, in order: for collections a caller holds whole (the roster, the filings). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
