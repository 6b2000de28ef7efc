import { z } from 'zod';
import { secondsOrMore } from '../contracts/duration.ts';
import type { RequestStats } from '../contracts/request-stats.ts';
import { SEVERITIES, type Severity } from '../contracts/severity.ts';
import type { TimeRange } from '../contracts/time-range.ts';

const DAY = 86_400_000;

const burnAlert = z
  .object({
    severity: z.enum(SEVERITIES),
    /** Fires when the budget burns at least this many times faster than the period allows. */
    burn_rate: z.number().positive(),
    long_window: secondsOrMore,
    short_window: secondsOrMore,
  })
  .strict()
  .refine((alert) => alert.short_window < alert.long_window, {
    message: 'short_window must be shorter than long_window',
    path: ['short_window'],
  });

/**
 * A service level objective (the `slos:` list of the rules file): the share of good requests
 * (availability: not failed; latency: no slower than `threshold_ms`) a service promises over a
 * period. Its alerts are multi-window burn rates, as in the Google SRE Workbook.
 */
export const sloSchema = z
  .object({
    name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'letters, digits, "_", "-", "." only'),
    /** Only this service; omitted → every service, each with its own budget. */
    service: z.string().min(1).optional(),
    route: z.string().min(1).optional(),
    kind: z.enum(['availability', 'latency']),
    /** latency: a request is good when it took at most this long. */
    threshold_ms: z.number().positive().optional(),
    objective: z.number().gt(0).lt(1),
    period: secondsOrMore.default(30 * DAY),
    /** Fewer requests than this in an alert's long window never fire. */
    min_requests: z.number().int().min(1).default(20),
    labels: z.record(z.string(), z.string()).default({}),
    runbook_url: z.url().optional(),
    alerts: z.array(burnAlert).min(1).optional(),
  })
  .strict()
  .superRefine((slo, ctx) => {
    if (slo.kind === 'latency' && slo.threshold_ms === undefined) {
      ctx.addIssue({ code: 'custom', path: ['threshold_ms'], message: 'a latency SLO needs one' });
    }
    if (slo.kind === 'availability' && slo.threshold_ms !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['threshold_ms'],
        message: 'only a latency SLO has one',
      });
    }
  });
export type Slo = z.infer<typeof sloSchema>;

export interface BurnAlert {
  readonly severity: Severity;
  readonly burn_rate: number;
  readonly long_window: number;
  readonly short_window: number;
}

/** The SRE Workbook's multi-window, multi-burn-rate alerts, for a 30-day period. */
export const DEFAULT_BURN_ALERTS: readonly BurnAlert[] = [
  { severity: 'critical', burn_rate: 14.4, long_window: 3_600_000, short_window: 300_000 },
  { severity: 'high', burn_rate: 6, long_window: 6 * 3_600_000, short_window: 1_800_000 },
  { severity: 'medium', burn_rate: 1, long_window: 3 * DAY, short_window: 6 * 3_600_000 },
];

/**
 * One burn-rate alert of an SLO, evaluated like any rule. Made from the SLO, never written in
 * `rules:`. Its window is the long one; it fires while both windows burn at least `burn_rate`.
 */
export interface BurnRateRule extends BurnAlert {
  readonly kind: 'slo_burn';
  readonly name: string;
  readonly slo: Slo;
  readonly service?: string | undefined;
  readonly window: number;
  readonly for: number;
  readonly keep_firing_for: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: {
    readonly summary?: string | undefined;
    readonly description?: string | undefined;
    readonly runbook_url?: string | undefined;
  };
  readonly unless?: undefined;
}

export const burnAlertsOf = (slo: Slo): readonly BurnAlert[] => slo.alerts ?? DEFAULT_BURN_ALERTS;

/** The rules an SLO's alerts are evaluated as; their names start with the SLO's. */
export function burnRateRules(slo: Slo): BurnRateRule[] {
  return burnAlertsOf(slo).map((alert) => ({
    ...alert,
    kind: 'slo_burn',
    name: `${slo.name}-burn-${alert.severity}`,
    slo,
    service: slo.service,
    window: alert.long_window,
    // The short window is what makes it reset quickly; nothing else holds it.
    for: 0,
    keep_firing_for: 0,
    labels: { ...slo.labels, slo: slo.name },
    annotations: {
      summary: `{{service}}: SLO ${slo.name} (${String(slo.objective * 100)}% ${slo.kind}) burns its error budget {{value}} as fast as the period allows (threshold {{threshold}})`,
      ...(slo.runbook_url === undefined ? {} : { runbook_url: slo.runbook_url }),
    },
  }));
}

/** Requests that broke the objective: failed, or slower than the threshold. */
export const badRequests = (slo: Slo, stats: RequestStats): number =>
  slo.kind === 'availability' ? stats.errors : stats.slow;

/**
 * How many times faster than allowed the budget burns over these requests: the bad share
 * divided by the budget (1 − objective). 1 spends exactly the budget over the period.
 */
export function burnRate(slo: Slo, stats: RequestStats | undefined): number {
  if (stats === undefined || stats.requests <= 0) return 0;
  return badRequests(slo, stats) / stats.requests / (1 - slo.objective);
}

/** A steady service's first span comes this many mean gaps after a window opens, at most. */
const FIRST_SPAN_GAPS = 10;

/**
 * When a service began sending, as far as a window shows: its earliest span there, unless that
 * is no later than a steady service's first span would be anyway (within ten mean gaps between
 * its spans: a stream that fills the window leaves a longer gap with odds of e^-10). Then it has
 * been sending since before the window opened.
 */
export function sendingSince(stats: RequestStats, window: TimeRange): number {
  const since = stats.since ?? window.from;
  const gap = (window.to - since) / Math.max(1, stats.spans);
  return since - window.from <= FIRST_SPAN_GAPS * gap ? window.from : since;
}

/**
 * The part of a window, 0–1, since `since` (when the service began sending). A burn rate times
 * this is the budget the window spent ÷ what the whole window allows: the time before the
 * service existed counts as spending nothing.
 *
 * `atLeast` (an alert's short window, for its long one) counts that time as spending nothing
 * only up to that length: a service that has sent for longer is judged on all it has sent. The
 * long window of a young service otherwise holds the alert back for its whole length: a service
 * 6 hours old, failing 3% (1.5 times a 98% SLO's pace) since its first hour, has failed 2.6% of
 * everything it ever served and burns on, yet its 3-day alert would wait for three days' worth
 * of budget (days), where the short window alone shows hours of it. Held to the short window, a
 * young service's alert still asks what the short window asks: the first bad minutes of a
 * ten-minute-old service fire no 3-day alert (6 hours' worth of budget first).
 */
export function windowCoverage(
  since: number,
  window: TimeRange,
  atLeast = Number.POSITIVE_INFINITY,
): number {
  const length = window.to - window.from;
  if (length <= 0) return 1;
  const sending = Math.max(0, window.to - Math.max(since, window.from));
  return Math.min(1, sending / Math.max(Math.min(atLeast, length), sending));
}
