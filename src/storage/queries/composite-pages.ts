import type { estypes } from '@elastic/elasticsearch';

/** Where a composite aggregation's next page starts. */
export type AfterKey = estypes.AggregationsCompositeAggregateKey;

/** One page of a composite aggregation: its rows, and where the next page would start. */
export interface Page<T> {
  readonly rows: readonly T[];
  readonly afterKey?: AfterKey | undefined;
}

/**
 * Every row of a composite aggregation, read a page at a time: `page(after)` runs one search
 * from `after` (undefined: the first page). A page shorter than `pageSize` is the last, so no
 * search is spent on an empty one.
 */
export async function allPages<T>(
  pageSize: number,
  page: (after: AfterKey | undefined) => Promise<Page<T>>,
): Promise<T[]> {
  const rows: T[] = [];
  let after: AfterKey | undefined;
  do {
    const next = await page(after);
    rows.push(...next.rows);
    after = next.rows.length === pageSize ? next.afterKey : undefined;
  } while (after);
  return rows;
}
