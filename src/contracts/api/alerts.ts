import * as z from 'zod/mini';
import { SEVERITIES } from '../severity.ts';
import { incidentIdPattern } from './incidents.ts';
import { nullableString, time, traceId } from './values.ts';

const STATES = ['pending', 'firing', 'resolved'] as const;

/** An alert: deduplicated by (rule, labels), so the same pair always has the same id. */
export const alert = z.strictObject({
  id: z.string().check(z.regex(/^[0-9a-f]{20}$/)),
  rule: z.string(),
  severity: z.enum(SEVERITIES),
  /** 1 (low) to 4 (critical): what "most severe first" sorts on. */
  severityRank: z.int().check(z.minimum(1), z.maximum(SEVERITIES.length)),
  state: z.enum(STATES),
  service: nullableString,
  summary: z.string(),
  description: z.string(),
  value: z.number(),
  threshold: z.number(),
  /** When the condition first held in this episode. */
  startsAt: time,
  /** When it resolved; null while pending or firing. */
  endsAt: z.nullable(time),
  updatedAt: time,
  /** Last time the condition held (drives keep_firing_for). */
  lastActiveAt: time,
  labels: z.record(z.string(), z.string()),
  /** runbook_url where the rule has one. */
  annotations: z.record(z.string(), z.string()),
  exemplarTraceIds: z.array(traceId),
  /** The incident this episode belongs to; null until it fires and is grouped. */
  incidentId: z.nullable(z.string().check(z.regex(incidentIdPattern))),
});

/** One state change, kept in the alert's history. */
export const transition = z.strictObject({
  id: z.string(),
  rule: z.string(),
  service: nullableString,
  from: z.enum(['inactive', ...STATES]),
  to: z.enum(['inactive', ...STATES]),
  at: time,
  value: z.number(),
});

export const alertList = z.strictObject({ alerts: z.array(alert) });
export const alertWithHistory = z.strictObject({ alert, history: z.array(transition) });

/**
 * A loaded rule as the rules file defines it (docs/alert-rules.md). Each kind has fields of its
 * own, which the API sends too; only what every rule has, and what the console reads, is named
 * here, and a reader keeps only those.
 */
export const rule = z.object({
  name: z.string(),
  kind: z.string(),
  severity: z.enum(SEVERITIES),
  /** The window it looks at, in milliseconds (a burn-rate rule's long window). */
  window: z.number(),
  service: z.optional(z.string()),
  route: z.optional(z.string()),
  /** error_rate: what it counts. */
  over: z.optional(z.enum(['requests', 'logs'])),
  /** baseline: what it compares. */
  metric: z.optional(z.enum(['error_rate', 'p95'])),
  percentile: z.optional(z.number()),
  /** slo_burn: the SLO it burns, and its short window. */
  slo: z.optional(z.looseObject({ kind: z.string(), objective: z.number() })),
  short_window: z.optional(z.number()),
});
export const ruleList = z.strictObject({ rules: z.array(rule) });

export type Alert = z.infer<typeof alert>;
export type AlertTransition = z.infer<typeof transition>;
export type RuleSummary = z.infer<typeof rule>;
