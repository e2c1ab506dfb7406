import type { Page, PageRequest } from '../ports.ts';

/** Every item of a paged list, fetched page by page as the caller iterates (never one unbounded call). */
export async function* eachItem<T>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  pageSize = 200,
): AsyncGenerator<T> {
  let cursor: string | undefined;
  do {
    const page = await fetch({ limit: pageSize, ...(cursor ? { cursor } : {}) });
    yield* page.items;
    cursor = page.cursor;
  } while (cursor);
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
