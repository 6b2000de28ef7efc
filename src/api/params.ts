import { z } from 'zod';
import { secondsOrMore } from '../contracts/duration.ts';
import { incidentIdPattern } from '../contracts/api/incidents.ts';
import { TRACE_SORTS } from '../contracts/api/telemetry.ts';
import { SEVERITIES } from '../contracts/severity.ts';
import { defaultInterval } from '../contracts/time-range.ts';
import { ApiError } from './errors.ts';

const MAX_RANGE_MS = 31 * 86_400_000;
const MAX_BUCKETS = 500;

export const traceIdParam = z
  .string()
  .regex(/^[0-9a-f]{32}$/, 'must be a trace id: 32 lowercase hexadecimal characters');
const limit = (fallback: number, max: number) =>
  z.coerce.number().int('must be a whole number').min(1).max(max).default(fallback);
/** Timestamps are stored in nanoseconds: Elasticsearch's date_nanos spans 1970 to 2262. */
const EARLIEST = 0;
const LATEST = Date.UTC(2262, 0, 1);
const rfc3339 = z.iso.datetime({ offset: true });
const time = z.string().transform((text, ctx) => {
  const ms = /^\d{1,16}$/.test(text)
    ? Number(text)
    : rfc3339.safeParse(text).success
      ? Date.parse(text)
      : Number.NaN;
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'must be an RFC 3339 time or epoch milliseconds' });
    return z.NEVER;
  }
  if (ms < EARLIEST || ms >= LATEST) {
    ctx.addIssue({ code: 'custom', message: 'must be between 1970-01-01 and 2262-01-01' });
    return z.NEVER;
  }
  return ms;
});
const interval = secondsOrMore;
const name = z.string().min(1).max(256);

export const alertsQuery = z.strictObject({
  state: z.enum(['firing', 'pending', 'resolved', 'all']).default('firing'),
  service: name.optional(),
  severity: z.enum(SEVERITIES).optional(),
  limit: limit(100, 1000),
});
export const alertIdParam = z.strictObject({
  id: z.string().regex(/^[0-9a-f]{20}$/, 'must be an alert id'),
});
const timeWindow = { from: time.optional(), to: time.optional() };
const SEVERITY_NUMBERS = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 } as const;
const milliseconds = z.coerce.number().min(0, 'must be 0 or more').max(86_400_000);

/**
 * With `traceId`: that trace's records, oldest first (the other filters do not apply). Without:
 * a search, newest first.
 */
export const logsQuery = z.strictObject({
  traceId: traceIdParam.optional(),
  ...timeWindow,
  service: name.optional(),
  severity: z
    .enum(Object.keys(SEVERITY_NUMBERS) as [keyof typeof SEVERITY_NUMBERS])
    .transform((level) => SEVERITY_NUMBERS[level])
    .optional(),
  q: z.string().min(1).max(256).optional(),
  limit: limit(1000, 10_000),
});
export const tracesQuery = z.strictObject({
  ...timeWindow,
  service: name.optional(),
  operation: name.optional(),
  errors: z.enum(['true', 'false']).default('false'),
  minDurationMs: milliseconds.optional(),
  maxDurationMs: milliseconds.optional(),
  attribute: z
    .string()
    .regex(/^[\w.-]{1,128}=.{1,256}$/, 'must look like key=value (key: letters, digits, . _ -)')
    .transform((pair) => {
      const at = pair.indexOf('=');
      return { key: pair.slice(0, at), value: pair.slice(at + 1) };
    })
    .optional(),
  sort: z.enum(TRACE_SORTS).default('newest'),
  limit: limit(100, 1000),
});
export const traceIdPath = z.strictObject({ traceId: traceIdParam });
const SELECTION_PARAMETERS = new Set([
  'failed',
  'minMs',
  'maxMs',
  'startFrom',
  'startTo',
  'attribute',
]);
/**
 * GET /analysis/differences: one service's requests in a window, a selection of them (failed,
 * slower or faster than a bound, started in a sub-range: a region brushed on the scatter, with a
 * given attribute; these combine) against the others.
 */
export const differencesQuery = z
  .strictObject({
    ...timeWindow,
    service: name,
    route: name.optional(),
    failed: z.enum(['true', 'false']).optional(),
    minMs: milliseconds.optional(),
    maxMs: milliseconds.optional(),
    startFrom: time.optional(),
    startTo: time.optional(),
    attribute: tracesQuery.shape.attribute,
  })
  .refine(
    (q) => Object.keys(q).some((key) => SELECTION_PARAMETERS.has(key)),
    'a selection needs failed, minMs, maxMs, startFrom, startTo or attribute',
  );
/** POST /silences: silence one alert (its exact labels) for a while. */
export const silenceBody = z.strictObject({
  alertId: z.string().regex(/^[0-9a-f]{20}$/, 'must be an alert id'),
  duration: secondsOrMore.refine((ms) => ms <= 30 * 86_400_000, 'must be at most 30d'),
  comment: z.string().trim().min(1, 'must say why').max(1000),
  createdBy: z.string().trim().min(1).max(100).default('lantern console'),
});
/** POST /notifications/{receiver}: a receiver of the notifications file. */
export const receiverPath = z.strictObject({
  receiver: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,99}$/i, 'must be a receiver name'),
});
const labelSet = z.record(z.string(), z.string());
/** What Alertmanager's webhook posts (version 4); fields Lantern does not read pass through. */
export const alertmanagerNotification = z.looseObject({
  status: z.enum(['firing', 'resolved']),
  alerts: z
    .array(
      z.looseObject({
        status: z.enum(['firing', 'resolved']),
        labels: labelSet,
        annotations: labelSet,
        startsAt: z.string(),
        endsAt: z.string(),
        generatorURL: z.string(),
      }),
    )
    .min(1),
  groupLabels: labelSet,
  commonLabels: labelSet,
});
export const incidentsQuery = z.strictObject({
  /** `active`: open or acknowledged. */
  status: z.enum(['open', 'acknowledged', 'resolved', 'active', 'all']).default('all'),
  ...timeWindow,
  service: name.optional(),
  limit: limit(100, 1000),
});
export const incidentIdPath = z.strictObject({
  incidentId: z.string().regex(incidentIdPattern, 'must be an incident id'),
});
/** POST /incidents/{incidentId}/acknowledge and /resolve: who, and what they say. */
export const incidentActionBody = z.strictObject({
  by: z.string().trim().min(1, 'must say who').max(100),
  note: z.string().trim().max(1000).default(''),
});
/** GET /deployments: one service's deploys, detected and marked, in a range. */
export const deploymentsQuery = z.strictObject({ service: name, ...timeWindow });
/**
 * GET /deployments/comparison: one version's deploy, at `at` when given, else the newest deploy
 * of it found (detected or marked).
 */
export const deploymentComparisonQuery = z.strictObject({
  service: name,
  version: name,
  at: time.optional(),
});
/**
 * POST /deployments: a deploy a pipeline marks. `at` is a time as `from`/`to` take it (a
 * number of epoch milliseconds too); without it, now.
 */
export const deploymentBody = z.strictObject({
  service: z.string().trim().min(1, 'must name the service').max(256),
  version: z.string().trim().min(1, 'must name the version').max(256),
  at: z
    .union([z.int().transform(String), z.string()])
    .pipe(time)
    .optional(),
  by: z.string().trim().min(1).max(100).optional(),
  link: z.httpUrl().max(2048).optional(),
});
export const servicesQuery = z.strictObject(timeWindow);
export const serviceMapQuery = z.strictObject(timeWindow);
/** Storage is measured now, over every day kept: nothing to ask for yet. */
export const storageQuery = z.strictObject({});
export const requestRateQuery = z.strictObject({ ...timeWindow, interval: interval.optional() });
export const errorRateQuery = z.strictObject({
  ...timeWindow,
  service: name.optional(),
  interval: interval.optional(),
});
export const latencyQuery = z.strictObject({
  ...timeWindow,
  service: name.optional(),
  route: name.optional(),
  interval: interval.optional(),
});

/** Parses request parameters; a problem is a 400 that names the parameter. */
export function parseParams<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const parameter = issue?.path[0];
  if (issue?.code === 'unrecognized_keys') {
    throw new ApiError(400, 'bad_parameter', `unknown parameter "${issue.keys.join('", "')}"`);
  }
  const message =
    parameter === undefined
      ? (issue?.message ?? 'invalid')
      : `parameter "${String(parameter)}": ${issue?.message ?? 'invalid'}`;
  throw new ApiError(400, 'bad_parameter', message);
}

/** A validated time window: `to` defaults to now, `from` to one hour before `to`. */
export function timeRange(
  params: { from?: number | undefined; to?: number | undefined },
  now: number,
) {
  const to = params.to ?? now;
  const from = params.from ?? Math.max(EARLIEST, to - 3_600_000);
  if (from >= to) throw new ApiError(400, 'bad_parameter', 'parameter "from": must be before "to"');
  if (to - from > MAX_RANGE_MS)
    throw new ApiError(
      400,
      'bad_parameter',
      'parameter "from": the range may span at most 31 days',
    );
  return { from, to };
}

/** A bucket interval: given, or about 60 buckets over the range; at most 500 buckets. */
export function bucketInterval(
  range: { from: number; to: number },
  interval: number | undefined,
): number {
  const span = range.to - range.from;
  const chosen = interval ?? defaultInterval(range);
  if (span / chosen > MAX_BUCKETS) {
    throw new ApiError(
      400,
      'bad_parameter',
      `parameter "interval": gives more than ${MAX_BUCKETS} buckets over this range`,
    );
  }
  return chosen;
}
