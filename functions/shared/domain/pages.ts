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
