import * as z from 'zod/mini';
import { atLeastZero, time, traceId, wholeCount } from './values.ts';

/**
 * Where a compared value lives: a span attribute (`span`: the span's own attributes, and its
 * name as `span.name`), a resource attribute (`resource`: `service.version`, `host.name`, …), or
 * the call chain below the request (`downstream`: `downstream.error` is the service and operation
 * a request's error started in, `downstream.slow` one that alone took half the selection's
 * latency bound or more).
 */
export const DIFFERENCE_SOURCES = ['span', 'resource', 'downstream'] as const;

/** A share from 0 to 1 of a group's weighted requests. */
const share = z.number().check(z.minimum(0), z.maximum(1));

/** One attribute value, with its share of the selected requests and of the others. */
export const difference = z.strictObject({
  source: z.enum(DIFFERENCE_SOURCES),
  key: z.string(),
  value: z.string(),
  /** Weighted share of the selected requests that have this value. */
  selection: share,
  /** Weighted share of the service's other requests in the window that have it. */
  baseline: share,
  /** Other `key=value`s that pick exactly the same requests (a route and its span name). */
  sameAs: z.array(z.string()),
});

/**
 * Where the selected requests' errors started, or where their time went: for each request of
 * a sample of the selection, the service and operation (itself included) that the error began
 * in (the deepest failing span of its call tree) or that spent most of its time (self time).
 */
export const origin = z.strictObject({
  kind: z.enum(['error', 'time']),
  service: z.string(),
  operation: z.string(),
  /** Weighted share of the sampled selected requests this origin accounts for. */
  share,
  /** Whether it is the compared service itself rather than one it calls. */
  itself: z.boolean(),
});

const group = z.strictObject({
  /** Weighted requests (sums of sampling weights), and the stored spans behind them. */
  requests: atLeastZero,
  spans: wholeCount,
});

export const differences = z.strictObject({
  service: z.string(),
  from: time,
  to: time,
  /** The selection in words ("failed requests", "requests over 800 ms", …). */
  description: z.string(),
  selection: group,
  baseline: group,
  /**
   * What the shares were measured on: the share of the window's spans read (1: all; a
   * uniform random sample of Elasticsearch's `random_sampler` over very large windows).
   */
  measuredShare: z.number().check(z.minimum(0), z.maximum(1)),
  /** Values over-represented in the selection, most first (selection − baseline share). */
  attributes: z.array(difference),
  /**
   * Values that describe the outcome itself rather than a cause (status codes, `error.type`):
   * over-represented among failed requests by definition, so listed apart and not ranked.
   */
  outcomes: z.array(difference),
  /** Where it starts, most first: over `tracesRead` selected requests' whole traces. */
  origins: z.array(origin),
  tracesRead: wholeCount,
  /** Selected requests that have the top value: traces to open first. */
  exemplars: z.array(traceId),
});

export type Difference = z.infer<typeof difference>;
export type Origin = z.infer<typeof origin>;
export type Differences = z.infer<typeof differences>;
