import * as z from 'zod/mini';
import type { Immutable } from './immutable.ts';
import { SEVERITIES } from '../severity.ts';
import { atLeastZero } from './values.ts';

/** One SLO for one service: the SLI and error budget over its period, burn rate per window. */
export const sloStatus = z.strictObject({
  slo: z.string(),
  service: z.string(),
  route: z.nullable(z.string()),
  kind: z.enum(['availability', 'latency']),
  objective: z.number().check(z.gt(0), z.lt(1)),
  periodMs: z.int().check(z.positive()),
  /** Requests over the period (weighted), and how many of them broke the objective. */
  requests: atLeastZero,
  badRequests: atLeastZero,
  /** The good share over the period; null without requests. */
  sli: z.nullable(z.number().check(z.minimum(0), z.maximum(1))),
  /** The share of requests the period may break: 1 − objective. */
  errorBudget: z.number(),
  /** 1 (untouched) to below 0 (overspent); null without requests. */
  budgetRemaining: z.nullable(z.number()),
  /** Shortest window first. */
  burnRates: z.array(z.strictObject({ windowMs: z.number(), burnRate: z.number() })),
  alerts: z.array(
    z.strictObject({
      rule: z.string(),
      severity: z.enum(SEVERITIES),
      burnRate: z.number(),
      longWindowMs: z.number(),
      shortWindowMs: z.number(),
      /** Whether its alert for this service is pending or firing now. */
      active: z.boolean(),
    }),
  ),
});
export const sloList = z.strictObject({ slos: z.array(sloStatus) });

export type SloStatus = Immutable<z.output<typeof sloStatus>>;
