import type { ServiceMap } from '../../contracts/api/service-map.ts';
import { rangeRate } from '../rates.ts';

/** One service's request buckets, as GET /api/v1/analysis/request-rate answers them. */
interface Series {
  readonly service: string;
  readonly buckets: readonly { readonly start: string; readonly requests: number }[];
}

export interface MapRates {
  readonly node: (node: ServiceMap['nodes'][number]) => number;
  readonly edge: (edge: ServiceMap['edges'][number]) => number;
}

/**
 * The map's requests (calls) per second over the range, by the overview's definition
 * (`rangeRate`: from a service's first request in the range), so a service reads the same on
 * both pages. A call began no earlier than the younger of its two services: it is counted from
 * the later first request of the two (the higher of the two rates).
 */
export function mapRates(
  series: readonly Series[],
  range: { readonly from: number; readonly to: number },
): MapRates {
  const bucketsOf = new Map(series.map((s) => [s.service, s.buckets]));
  const perSecond = (requests: number, service: string) =>
    rangeRate(requests, bucketsOf.get(service) ?? [], range);
  return {
    node: (node) => perSecond(node.requests, node.service),
    edge: (edge) =>
      Math.max(perSecond(edge.calls, edge.caller), perSecond(edge.calls, edge.callee)),
  };
}
