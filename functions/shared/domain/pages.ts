import type { Page, PageRequest } from '../ports.ts';

/**
 * Every item of a paged list, read page by page (never one unbounded call). For lists a page
 * shows whole, such as one hazard's history or one unit's hazards.
 */
export async function allPages<T>(
  fetch: (page: PageRequest) => Promise<Page<T>>,
  pageSize = 200,
): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetch({ limit: pageSize, ...(cursor ? { cursor } : {}) });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return items;
}

/** Every item of an async stream, in order: for collections a caller holds whole (the roster, the filings). */
export async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}
