import * as z from 'zod/mini';
import type { Immutable } from './immutable.ts';
import { atLeastZero, intervalMs, latencyMs, rate, time, wholeCount } from './values.ts';

/** Per service over the range: its logs and its requests, weighted. */
export const serviceSummary = z.strictObject({
  service: z.string(),
  logs: z.strictObject({ count: wholeCount, errors: wholeCount, errorRate: rate }),
  requests: z.strictObject({
    count: atLeastZero,
    /** Stored (sampled) spans the estimate rests on: how much to trust it. */
    sampled: wholeCount,
    errors: atLeastZero,
    errorRate: rate,
    latencyMs,
  }),
});
export const serviceList = z.strictObject({
  from: time,
  to: time,
  services: z.array(serviceSummary),
});

/** Every service at once, per bucket (the overview's sparklines). */
export const requestRate = z.strictObject({
  from: time,
  to: time,
  intervalMs,
  services: z.array(
    z.strictObject({
      service: z.string(),
      buckets: z.array(
        z.strictObject({ start: time, requests: atLeastZero, failedRequests: atLeastZero }),
      ),
    }),
  ),
});

/** A log message pattern (ids, numbers and quoted values masked), most frequent first. */
export const errorPattern = z.strictObject({
  pattern: z.string(),
  count: wholeCount,
  /** Epoch milliseconds of its first record. */
  firstSeen: z.number(),
  exampleMessage: z.string(),
  exampleTraceId: z.nullable(z.string()),
  /** Up to three traces it was logged in. */
  exampleTraceIds: z.array(z.string()).check(z.maxLength(3)),
});

/**
 * A top error pattern of a service's range, and whether the range holds its first time: the
 * service never logged it in the seven days before the range. The log_pattern rule pages such a
 * pattern as new only on a service with that much history; on a younger one it is only first
 * seen, and shown here.
 */
export const topError = z.extend(errorPattern, { firstSeenInRange: z.boolean() });

export const errorRate = z.strictObject({
  service: z.nullable(z.string()),
  intervalMs,
  buckets: z.array(
    z.strictObject({
      start: time,
      requests: atLeastZero,
      failedRequests: atLeastZero,
      errorRate: rate,
      logs: wholeCount,
      errorLogs: wholeCount,
      /** Error-level log records ÷ all records. */
      logErrorRate: rate,
    }),
  ),
  /** With a service: its error log patterns over the range. */
  topErrors: z.array(topError),
});

export const latency = z.strictObject({
  service: z.nullable(z.string()),
  route: z.nullable(z.string()),
  intervalMs,
  routes: z.array(
    z.strictObject({
      route: z.string(),
      requests: atLeastZero,
      sampled: wholeCount,
      failedRequests: atLeastZero,
      errorRate: rate,
      latencyMs,
    }),
  ),
  buckets: z.array(z.strictObject({ start: time, requests: atLeastZero, latencyMs })),
});

/** What the server builds each answer's parts as: the contract's shapes, read-only. */
export type ServiceSummary = Immutable<z.output<typeof serviceSummary>>;
export type ErrorPattern = Immutable<z.output<typeof errorPattern>>;
export type TopError = Immutable<z.output<typeof topError>>;
export type LatencySummary = Immutable<z.output<typeof latencyMs>>;
export type RequestRateSeries = Immutable<z.output<typeof requestRate>>['services'][number];
export type ErrorRateBucket = Immutable<z.output<typeof errorRate>>['buckets'][number];
export type RouteLatency = Immutable<z.output<typeof latency>>['routes'][number];
export type LatencyBucketFigures = Immutable<z.output<typeof latency>>['buckets'][number];
