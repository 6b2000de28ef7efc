import { epochMicros } from '../format.ts';
import type { Span } from '../../contracts/api/telemetry.ts';

/** A trace's spans as one tree, whatever the data: every span in it exactly once. */
export interface SpanTree {
  /** Every span once, in start order. */
  readonly spans: readonly Span[];
  /** The root: the earliest span without a parent, or the earliest span when none lacks one. */
  readonly root: Span;
  readonly children: ReadonlyMap<string, readonly Span[]>;
  readonly parent: ReadonlyMap<string, Span>;
  /** Spans hung under the root because their parent is missing or they sat in a cycle. */
  readonly orphans: ReadonlySet<string>;
  /** Start and end in microseconds since the epoch, by span id. */
  readonly startUs: ReadonlyMap<string, number>;
  readonly endUs: ReadonlyMap<string, number>;
}

const byStart = (startUs: ReadonlyMap<string, number>) => (a: Span, b: Span) =>
  (startUs.get(a.spanId) ?? 0) - (startUs.get(b.spanId) ?? 0);

/**
 * Builds the tree of a non-empty trace. A span whose parent is not in the trace, a second
 * parentless span and every span of a parent cycle become children of the root (the earliest
 * span of a cycle is cut from its parent; the rest of the cycle keeps its links), so bad data
 * still draws as one tree and every later walk terminates. Duplicate span ids keep the first.
 */
export function spanTree(all: readonly Span[]): SpanTree {
  const byId = new Map<string, Span>();
  for (const span of all) if (!byId.has(span.spanId)) byId.set(span.spanId, span);
  const spans = [...byId.values()];
  const startUs = new Map(spans.map((s) => [s.spanId, epochMicros(s.startedAt)]));
  const endUs = new Map(
    spans.map((s) => [s.spanId, (startUs.get(s.spanId) ?? 0) + s.durationMs * 1000]),
  );
  spans.sort(byStart(startUs));
  const root = spans.find((s) => s.parentSpanId === null) ?? spans[0];
  if (!root) throw new Error('a trace without spans has no tree');
  const parent = new Map<string, Span>();
  const orphans = new Set<string>();
  for (const span of spans) {
    if (span === root) continue;
    const own = span.parentSpanId === null ? undefined : byId.get(span.parentSpanId);
    parent.set(span.spanId, own ?? root);
    if (!own) orphans.add(span.spanId);
  }
  const children = childrenOf(spans, parent);
  // Spans not reached from the root sit in (or under) a parent cycle: cut the earliest of
  // them loose under the root, and repeat until every span is reached.
  const reached = new Set<string>();
  const reach = (from: Span): void => {
    const stack = [from];
    for (let next = stack.pop(); next; next = stack.pop()) {
      if (reached.has(next.spanId)) continue;
      reached.add(next.spanId);
      stack.push(...(children.get(next.spanId) ?? []));
    }
  };
  reach(root);
  for (const span of spans) {
    if (reached.has(span.spanId)) continue;
    parent.set(span.spanId, root);
    orphans.add(span.spanId);
    reach(span);
  }
  return {
    spans,
    root,
    parent,
    orphans,
    startUs,
    endUs,
    children: orphans.size > 0 ? childrenOf(spans, parent) : children,
  };
}

/** Children lists in start order (`spans` is sorted by start). */
function childrenOf(
  spans: readonly Span[],
  parent: ReadonlyMap<string, Span>,
): Map<string, Span[]> {
  const children = new Map<string, Span[]>();
  for (const span of spans) {
    const of = parent.get(span.spanId);
    if (!of) continue;
    const list = children.get(of.spanId);
    if (list) list.push(span);
    else children.set(of.spanId, [span]);
  }
  return children;
}
