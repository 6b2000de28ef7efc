import * as z from 'zod/mini';
import { atLeastZero, rate, time, wholeCount } from './values.ts';
import type { Immutable } from './immutable.ts';

/**
 * Weighted requests over the range (never documents counted), the share that failed, and the
 * weighted p95 (ms). Counts, not rates, as /services answers them: the console turns a count
 * into requests per second with the overview's one definition (console/rates.ts `rangeRate`:
 * from the service's first request in the range), so a service reads the same on both pages.
 */
const red = {
  errorRate: rate,
  /** Weighted 95th percentile in milliseconds; null without requests. */
  p95Ms: z.nullable(z.number()),
};

/** A service on the map: its requests' RED figures and its alerts firing now. */
export const serviceMapNode = z.strictObject({
  service: z.string(),
  /** Its weighted requests over the range: /services' `requests.count`. */
  requests: atLeastZero,
  ...red,
  firingAlerts: wholeCount,
});

/**
 * A call from one service to another (client→server, producer→consumer): the callee's requests
 * whose parent span is the caller's, with their RED figures.
 */
export const serviceMapEdge = z.strictObject({
  caller: z.string(),
  callee: z.string(),
  /** Weighted calls over the range. */
  calls: atLeastZero,
  ...red,
});

export const serviceMap = z.strictObject({
  from: time,
  to: time,
  nodes: z.array(serviceMapNode),
  edges: z.array(serviceMapEdge),
});

export type ServiceMap = Immutable<z.output<typeof serviceMap>>;
export type ServiceMapNode = ServiceMap['nodes'][number];
export type ServiceMapEdge = ServiceMap['edges'][number];
