import type { ServiceSummary } from '../contracts/api/figures.ts';
import type { ServiceMapEdge, ServiceMapNode } from '../contracts/api/service-map.ts';
import { ratio } from './summaries.ts';

/** Calls from one service to another, as storage/queries/service-calls.ts reads them. */
export interface CallFigures {
  readonly parent: string;
  readonly child: string;
  /** Weighted calls and failed calls over the range. */
  readonly calls: number;
  readonly errors: number;
  /** Durations (ms) of the calls looked at, each with its sampling weight. */
  readonly latency: readonly { readonly ms: number; readonly weight: number }[];
}

/**
 * The percentile of weighted durations: the smallest duration at or below which `percent` of
 * the weight lies (a duration standing for 10 requests counts 10 times). Null without weight.
 */
export function weightedPercentile(
  durations: readonly { readonly ms: number; readonly weight: number }[],
  percent: number,
): number | null {
  const sorted = [...durations].sort((a, b) => a.ms - b.ms);
  const total = sorted.reduce((sum, d) => sum + d.weight, 0);
  if (total <= 0) return null;
  let below = 0;
  for (const d of sorted) {
    below += d.weight;
    if (below >= (percent / 100) * total) return d.ms;
  }
  return sorted.at(-1)?.ms ?? null;
}

const round = (value: number, places: number) => Math.round(value * 10 ** places) / 10 ** places;

/**
 * The map's nodes: every service with requests or calls (its RED figures from the services'
 * summaries) and how many of its alerts fire; and its edges. Weighted counts over the range, not
 * rates: the console divides them by the time each service has sent in it (console/rates.ts).
 */
export function serviceMap(input: {
  readonly summaries: readonly ServiceSummary[];
  readonly calls: readonly CallFigures[];
  /** The service of each firing alert. */
  readonly firing: readonly string[];
}): { nodes: ServiceMapNode[]; edges: ServiceMapEdge[] } {
  const inCalls = new Set(input.calls.flatMap((c) => [c.parent, c.child]));
  const alerts = new Map<string, number>();
  for (const service of input.firing) alerts.set(service, (alerts.get(service) ?? 0) + 1);
  const nodes = input.summaries
    .filter((s) => s.requests.sampled > 0 || inCalls.has(s.service))
    .map((s) => ({
      service: s.service,
      requests: s.requests.count,
      errorRate: s.requests.errorRate,
      p95Ms: s.requests.latencyMs.p95,
      firingAlerts: alerts.get(s.service) ?? 0,
    }));
  // A caller that sent only client spans has no summary row with requests: still a node.
  const known = new Set(nodes.map((n) => n.service));
  for (const service of [...inCalls].sort()) {
    if (known.has(service)) continue;
    nodes.push({
      service,
      requests: 0,
      errorRate: null,
      p95Ms: null,
      firingAlerts: alerts.get(service) ?? 0,
    });
  }
  const edges = input.calls
    .map((c) => {
      const p95 = weightedPercentile(c.latency, 95);
      return {
        caller: c.parent,
        callee: c.child,
        // Scaled up from a cut sample (service-calls.ts): rounding noise left out.
        calls: round(c.calls, 6),
        errorRate: ratio(c.errors, c.calls),
        p95Ms: p95 === null ? null : round(p95, 3),
      };
    })
    .sort((a, b) => a.caller.localeCompare(b.caller) || a.callee.localeCompare(b.callee));
  return { nodes, edges };
}
