import type { Origin } from '../contracts/api/differences.ts';
import { fields } from '../contracts/fields.ts';
import { sampledRequest, type Observation, type SampledRequest } from './attribute-differences.ts';
import {
  CallTree,
  chainSpan,
  errorOrigin,
  slowCallee,
  text,
  timeOrigin,
  type Place,
} from './request-origins.ts';

type Stored = Readonly<Record<string, unknown>>;

/** A sampled request whose whole trace was read: where its error began and its time went. */
export interface TracedRequest {
  readonly request: SampledRequest;
  readonly error: Place | undefined;
  readonly time: Place | undefined;
}

const placeText = (p: Place) => `${p.service} ${p.operation}`;

/**
 * The sampled requests whose traces were found, each with its call-chain origins and, as
 * comparable values, the service and operation below it its error began in
 * (`downstream.error`) and one that alone took `slowMs` or more (`downstream.slow`).
 */
export function tracedRequests(
  requests: readonly Stored[],
  traces: ReadonlyMap<string, readonly Stored[]>,
  slowMs: number | undefined,
): TracedRequest[] {
  const traced: TracedRequest[] = [];
  for (const stored of requests) {
    const spans = (traces.get(text(stored[fields.traceId])) ?? []).map(chainSpan);
    const entry = spans.find((span) => span.spanId === stored[fields.spanId]);
    if (!entry) continue;
    const tree = new CallTree(entry, spans);
    const error = errorOrigin(tree);
    const slow = slowMs === undefined ? undefined : slowCallee(tree, slowMs);
    const downstream: Observation[] = [];
    if (error && error.service !== entry.service)
      downstream.push({ source: 'downstream', key: 'downstream.error', value: placeText(error) });
    if (slow)
      downstream.push({ source: 'downstream', key: 'downstream.slow', value: placeText(slow) });
    traced.push({
      request: sampledRequest(stored, downstream),
      error,
      time: timeOrigin(tree),
    });
  }
  return traced;
}

/**
 * Where it starts: the weighted share of the traced requests whose error began (and, if asked,
 * whose time went most) in each place, most first.
 */
export function originShares(
  traced: readonly TracedRequest[],
  asked: { readonly errors: boolean; readonly time: boolean; readonly service: string },
): Origin[] {
  const total = traced.reduce((sum, t) => sum + t.request.weight, 0);
  const origins: Origin[] = [];
  for (const kind of ['error', 'time'] as const) {
    if (!(kind === 'error' ? asked.errors : asked.time) || total <= 0) continue;
    const byPlace = new Map<string, { place: Place; weight: number }>();
    for (const t of traced) {
      const place = t[kind];
      if (!place) continue;
      const entry = byPlace.get(placeText(place)) ?? { place, weight: 0 };
      entry.weight += t.request.weight;
      byPlace.set(placeText(place), entry);
    }
    origins.push(
      ...[...byPlace.values()]
        .sort((a, b) => b.weight - a.weight)
        .slice(0, 5)
        .map(({ place, weight }) => ({
          kind,
          service: place.service,
          operation: place.operation,
          share: Math.min(1, weight / total),
          itself: place.service === asked.service,
        })),
    );
  }
  return origins;
}
