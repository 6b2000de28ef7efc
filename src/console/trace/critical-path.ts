import type { Span } from '../../contracts/api/telemetry.ts';
import type { SpanTree } from './span-tree.ts';

/** A stretch of the trace's end-to-end time spent in one span, in µs since the epoch. */
export interface CriticalSection {
  readonly span: Span;
  readonly startUs: number;
  readonly endUs: number;
}

/**
 * The critical path, as Jaeger defines it: from the root's end walk back, at each span taking
 * the child that finished last before the current point; the time no child covers is the
 * span's own. The sections returned (latest first) tile the root's duration exactly, so their
 * lengths summed per service say what each service contributed to the trace's duration.
 *
 * Each child's time is first clipped to its parent's (itself clipped), as Jaeger does: a
 * fire-and-forget child that ends after its parent counts only up to the parent's end, and one
 * entirely outside its parent is off the path with its subtree. Each span is descended into at
 * most once, so the walk ends on any tree (`spanTree` has already broken cycles).
 */
export function criticalPath(tree: SpanTree): CriticalSection[] {
  const window = clippedWindows(tree);
  const sections: CriticalSection[] = [];
  const taken = new Set<string>([tree.root.spanId]);
  let current = tree.root;
  let until = window.get(current.spanId)?.[1] ?? 0;
  for (;;) {
    const last = lastFinishing(tree.children.get(current.spanId) ?? [], window, taken, until);
    if (last) {
      const lastEnd = window.get(last.spanId)?.[1] ?? until;
      if (lastEnd < until) sections.push({ span: current, startUs: lastEnd, endUs: until });
      taken.add(last.spanId);
      current = last;
      until = lastEnd;
      continue;
    }
    const start = window.get(current.spanId)?.[0] ?? until;
    if (start < until) sections.push({ span: current, startUs: start, endUs: until });
    const up = tree.parent.get(current.spanId);
    if (!up || current === tree.root) return sections;
    current = up;
    until = start;
  }
}

/** The child not yet on the path that ends last at or before `until`. */
function lastFinishing(
  children: readonly Span[],
  window: ReadonlyMap<string, readonly [number, number]>,
  taken: ReadonlySet<string>,
  until: number,
): Span | undefined {
  let best: Span | undefined;
  let bestEnd = -Infinity;
  for (const child of children) {
    const end = window.get(child.spanId)?.[1];
    if (end === undefined || end > until || taken.has(child.spanId)) continue;
    if (end > bestEnd) {
      best = child;
      bestEnd = end;
    }
  }
  return best;
}

/** Every span's [start, end] clipped to its parent's; spans outside their parent are left out. */
function clippedWindows(tree: SpanTree): Map<string, readonly [number, number]> {
  const window = new Map<string, readonly [number, number]>();
  const root = tree.root.spanId;
  window.set(root, [tree.startUs.get(root) ?? 0, tree.endUs.get(root) ?? 0]);
  const stack = [tree.root];
  for (let span = stack.pop(); span; span = stack.pop()) {
    const [from, to] = window.get(span.spanId) ?? [0, 0];
    for (const child of tree.children.get(span.spanId) ?? []) {
      const start = Math.max(from, tree.startUs.get(child.spanId) ?? from);
      const end = Math.min(to, tree.endUs.get(child.spanId) ?? to);
      if (start > end) continue;
      window.set(child.spanId, [start, end]);
      stack.push(child);
    }
  }
  return window;
}

/** Microseconds of the critical path each service accounts for, largest first. */
export function criticalTimeByService(
  sections: readonly CriticalSection[],
): { service: string | null; us: number }[] {
  const byService = new Map<string | null, number>();
  for (const s of sections) {
    byService.set(s.span.service, (byService.get(s.span.service) ?? 0) + s.endUs - s.startUs);
  }
  return [...byService].map(([service, us]) => ({ service, us })).sort((a, b) => b.us - a.us);
}
