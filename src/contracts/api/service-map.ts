import * as z from 'zod/mini';
import { atLeastZero, rate, time, wholeCount } from './values.ts';
import type { Immutable } from './immutable.ts';

/** Weighted requests per second, the share that failed, and the weighted p95 (ms). */
const red = {
  /** Requests per second over the range (sampling weights summed, never documents counted). */
  ratePerSecond: atLeastZero,
  errorRate: rate,
  /** Weighted 95th percentile in milliseconds; null without requests. */
  p95Ms: z.nullable(z.number()),
};

/** A service on the map: its requests' RED figures and its alerts firing now. */
export const serviceMapNode = z.strictObject({
  service: z.string(),
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
