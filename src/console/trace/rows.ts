import type { Span } from '../../contracts/api/telemetry.ts';
import type { SpanTree } from './span-tree.ts';

export interface Row {
  readonly span: Span;
  readonly depth: number;
  readonly offsetUs: number;
  readonly children: number;
}

/**
 * Spans in tree order (each after its parent), with depth and start offset from the trace's
 * start (its earliest span's, µs since the epoch).
 */
export function rowsOf(tree: SpanTree): { rows: Row[]; startUs: number; totalUs: number } {
  let start = Infinity;
  let end = -Infinity;
  for (const [id, us] of tree.startUs) {
    start = Math.min(start, us);
    end = Math.max(end, tree.endUs.get(id) ?? us);
  }
  const rows: Row[] = [];
  // Iterative depth-first walk: a 5,000-span trace must not overflow the stack.
  const stack: { span: Span; depth: number }[] = [{ span: tree.root, depth: 0 }];
  for (let next = stack.pop(); next; next = stack.pop()) {
    const kids = tree.children.get(next.span.spanId) ?? [];
    const offsetUs = (tree.startUs.get(next.span.spanId) ?? start) - start;
    rows.push({ ...next, offsetUs, children: kids.length });
    for (let i = kids.length - 1; i >= 0; i -= 1) {
      const kid = kids[i];
      if (kid) stack.push({ span: kid, depth: next.depth + 1 });
    }
  }
  return { rows, startUs: start, totalUs: Math.max(1, end - start) };
}

/** The rows left showing when the subtrees under `collapsed` spans are folded away. */
export function unfolded(rows: readonly Row[], collapsed: ReadonlySet<string>): readonly Row[] {
  if (collapsed.size === 0) return rows;
  const shown: Row[] = [];
  let foldedBelow = Infinity; // depth of the collapsed row whose subtree is being skipped
  for (const row of rows) {
    if (row.depth > foldedBelow) continue;
    foldedBelow = collapsed.has(row.span.spanId) ? row.depth : Infinity;
    shown.push(row);
  }
  return shown;
}
