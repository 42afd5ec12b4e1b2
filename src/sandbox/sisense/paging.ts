// One page of a list, by `next_page_start`: the cursor is the id of the first item of the next page, so a
// page boundary survives deletions and renames between calls (as the dashboards API's cursor does).
import { invalid } from './errors.js';

export interface ListPage<T> {
  items: T[];
  next_page_start: string | null;
  items_this_page: number;
}

export function pageOf<T extends { id: number }>(all: Iterable<T>, cursor: string | null, size: number): ListPage<T> {
  const sorted = [...all].sort((a, b) => a.id - b.id);
  let from = 0;
  if (cursor !== null) {
    if (!/^[1-9][0-9]*$/.test(cursor)) throw invalid(`next_page_start: '${cursor}' is not a cursor this API issued`);
    const start = Number(cursor);
    from = sorted.findIndex((item) => item.id >= start);
    if (from < 0) from = sorted.length;
  }
  const items = sorted.slice(from, from + size);
  const next = sorted[from + size];
  return { items, next_page_start: next ? String(next.id) : null, items_this_page: items.length };
}
