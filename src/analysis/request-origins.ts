import { isFailedRequest } from '../contracts/failed-request.ts';
import { fields, SERVER_KIND } from '../contracts/fields.ts';

/** A span of a request's call tree, as the origin finders need it. */
export interface ChainSpan {
  readonly spanId: string;
  readonly parentSpanId: string;
  readonly service: string;
  readonly name: string;
  readonly kind: string;
  readonly failed: boolean;
  readonly startMs: number;
  readonly durationMs: number;
}

/** A service and the operation it was serving (its entry span's name). */
export interface Place {
  readonly service: string;
  readonly operation: string;
}

export const text = (value: unknown) => (typeof value === 'string' ? value : '');
const firstNumber = (span: Readonly<Record<string, unknown>>, names: readonly string[]) =>
  names.map((name) => span[name]).find((value): value is number => typeof value === 'number');

/** A stored span (flat keys) as a chain span. */
export function chainSpan(stored: Readonly<Record<string, unknown>>): ChainSpan {
  const kind = text(stored[fields.span.kind]);
  const statusIsError = stored[fields.span.status] === 2;
  const httpStatus = firstNumber(stored, fields.span.httpStatuses);
  return {
    spanId: text(stored[fields.spanId]),
    parentSpanId: text(stored[fields.span.parentSpanId]),
    service: text(stored[fields.serviceName]),
    name: text(stored[fields.span.name]),
    kind,
    // A server's 5xx is a failure; a client's 5xx is its callee's failure, seen from outside.
    failed: kind === SERVER_KIND ? isFailedRequest({ statusIsError, httpStatus }) : statusIsError,
    startMs: Date.parse(text(stored[fields.timestamp])),
    durationMs: Number(stored[fields.span.duration] ?? 0) / 1000,
  };
}

/**
 * A request's call tree: the entry span and everything below it in its trace, each with the
 * place it ran in (the service, and the name of the nearest span at or above it that entered
 * that service: a server span, or the request's own entry span).
 */
export class CallTree {
  readonly #children = new Map<string, ChainSpan[]>();
  readonly #places = new Map<string, Place>();
  readonly #depth = new Map<string, number>();
  readonly #entries = new Set<string>();
  readonly spans: readonly ChainSpan[];
  readonly entry: ChainSpan;

  constructor(entry: ChainSpan, traceSpans: readonly ChainSpan[]) {
    this.entry = entry;
    for (const span of traceSpans) {
      const siblings = this.#children.get(span.parentSpanId) ?? [];
      siblings.push(span);
      this.#children.set(span.parentSpanId, siblings);
    }
    const spans: ChainSpan[] = [];
    const visit = (span: ChainSpan, place: Place, depth: number) => {
      if (this.#places.has(span.spanId)) return; // a cycle in bad data
      const here =
        span === entry || (span.kind === SERVER_KIND && span.service !== place.service)
          ? { service: span.service, operation: span.name }
          : span.service === place.service
            ? place
            : { service: span.service, operation: span.name };
      this.#places.set(span.spanId, here);
      if (here !== place || span === entry) this.#entries.add(span.spanId);
      this.#depth.set(span.spanId, depth);
      spans.push(span);
      for (const child of this.children(span)) visit(child, here, depth + 1);
    };
    visit(entry, { service: entry.service, operation: entry.name }, 0);
    this.spans = spans;
  }

  children(span: ChainSpan): readonly ChainSpan[] {
    return this.#children.get(span.spanId) ?? [];
  }

  placeOf(span: ChainSpan): Place {
    return this.#places.get(span.spanId) ?? { service: span.service, operation: span.name };
  }

  /** Whether the span entered its place (the request's entry, or a call into a service). */
  isEntry(span: ChainSpan): boolean {
    return this.#entries.has(span.spanId);
  }

  depthOf(span: ChainSpan): number {
    return this.#depth.get(span.spanId) ?? 0;
  }
}

/**
 * Where a failed request's error started: the deepest failing span of its tree (the earliest
 * of equals), at its place. Undefined when nothing in the tree failed.
 */
export function errorOrigin(tree: CallTree): Place | undefined {
  let origin: ChainSpan | undefined;
  for (const span of tree.spans) {
    if (!span.failed) continue;
    if (
      !origin ||
      tree.depthOf(span) > tree.depthOf(origin) ||
      (tree.depthOf(span) === tree.depthOf(origin) && span.startMs < origin.startMs)
    )
      origin = span;
  }
  return origin && tree.placeOf(origin);
}

/** The time a span's children do not cover (children running at once counted once). */
function selfTimeMs(tree: CallTree, span: ChainSpan): number {
  const end = span.startMs + span.durationMs;
  const intervals = tree
    .children(span)
    .map((child) => [
      Math.max(span.startMs, child.startMs),
      Math.min(end, child.startMs + child.durationMs),
    ])
    .filter(([from = 0, to = 0]) => to > from)
    .sort((a, b) => (a[0] ?? 0) - (b[0] ?? 0));
  let covered = 0;
  let reach = span.startMs;
  for (const [from = 0, to = 0] of intervals) {
    if (to <= reach) continue;
    covered += to - Math.max(from, reach);
    reach = to;
  }
  return Math.max(0, span.durationMs - covered);
}

/** Where a request's time went: the place with the most self time in its tree. */
export function timeOrigin(tree: CallTree): Place | undefined {
  const byPlace = new Map<string, { place: Place; ms: number }>();
  for (const span of tree.spans) {
    const place = tree.placeOf(span);
    const key = `${place.service}\u0000${place.operation}`;
    const entry = byPlace.get(key) ?? { place, ms: 0 };
    entry.ms += selfTimeMs(tree, span);
    byPlace.set(key, entry);
  }
  let best: { place: Place; ms: number } | undefined;
  for (const entry of byPlace.values()) if (!best || entry.ms > best.ms) best = entry;
  return best?.place;
}

/**
 * The deepest place below the request, in another service, whose entry span alone took at least
 * `ms` (the longest of equally deep ones): where a slow request waited. Undefined when no call
 * took that long.
 */
export function slowCallee(tree: CallTree, ms: number): Place | undefined {
  let found: ChainSpan | undefined;
  for (const span of tree.spans) {
    if (span.service === tree.entry.service || span.durationMs < ms) continue;
    if (!tree.isEntry(span)) continue;
    const deeper = found ? tree.depthOf(span) - tree.depthOf(found) : 1;
    if (!found || deeper > 0 || (deeper === 0 && span.durationMs > found.durationMs)) found = span;
  }
  return found && tree.placeOf(found);
}
