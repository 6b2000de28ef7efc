import type { SpanTree } from './span-tree.ts';

export interface ServiceShare {
  readonly service: string | null;
  readonly spans: number;
  /** Time in its spans that none of their children covers, µs. */
  readonly selfUs: number;
  readonly errors: number;
}

/**
 * Per service of a trace: spans, self time and errors (status ERROR), most self time first.
 * A span's self time is its duration less the union of its children's time within it, so
 * concurrent children are not subtracted twice and a child outliving its parent only once.
 */
export function serviceSummary(tree: SpanTree): ServiceShare[] {
  const shares = new Map<string | null, { spans: number; selfUs: number; errors: number }>();
  for (const span of tree.spans) {
    const share = shares.get(span.service) ?? { spans: 0, selfUs: 0, errors: 0 };
    share.spans += 1;
    share.selfUs += selfUs(tree, span.spanId);
    if (span.status === 2) share.errors += 1;
    shares.set(span.service, share);
  }
  return [...shares]
    .map(([service, share]) => ({ service, ...share }))
    .sort((a, b) => b.selfUs - a.selfUs);
}

function selfUs(tree: SpanTree, spanId: string): number {
  const start = tree.startUs.get(spanId) ?? 0;
  const end = tree.endUs.get(spanId) ?? start;
  // Children's windows clipped to the span, in start order (children lists are): merge.
  let covered = 0;
  let reach = start;
  for (const child of tree.children.get(spanId) ?? []) {
    const from = Math.max(reach, tree.startUs.get(child.spanId) ?? start);
    const to = Math.min(end, tree.endUs.get(child.spanId) ?? start);
    if (to > from) {
      covered += to - from;
      reach = to;
    }
  }
  return end - start - covered;
}
