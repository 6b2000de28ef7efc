import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { durationMs, secondsOrMore } from '../contracts/duration.ts';
import { SEVERITIES } from '../contracts/severity.ts';
import { DEFAULT_DEPLOY_THRESHOLDS, type DeployThresholds } from '../analysis/deploy-verdict.ts';
import { burnRateRules, sloSchema, type BurnRateRule, type Slo } from './slo.ts';

const common = {
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'letters, digits, "_", "-", "." only'),
  /** Only this service; omitted → the rule is evaluated for every service separately. */
  service: z.string().min(1).optional(),
  window: secondsOrMore.default(5 * 60_000),
  for: durationMs.default(0),
  keep_firing_for: durationMs.default(0),
  severity: z.enum(SEVERITIES),
  labels: z.record(z.string(), z.string()).default({}),
  /**
   * Another rule's name: while that rule's alert for the same service is pending or firing,
   * this one does not fire for it. How one incident seen twice (failed requests, and the error
   * logs they write) makes one alert.
   */
  unless: z.string().min(1).optional(),
  annotations: z
    .object({
      summary: z.string().optional(),
      description: z.string().optional(),
      runbook_url: z.url().optional(),
    })
    .strict()
    .default({}),
};

/** Rules over requests (server spans), which have routes; log records have none. */
const overRequests = {
  route: z.string().min(1).optional(),
  /** Fewer requests than this in the window never fire (one failure of two is not 50%). */
  min_requests: z.number().int().min(1).default(20),
};

const requestErrorRateRule = z
  .object({
    ...common,
    ...overRequests,
    kind: z.literal('error_rate'),
    /** What it counts: requests (weighted server spans) that failed. */
    over: z.literal('requests').default('requests'),
    /** Fraction that failed, 0–1. */
    threshold: z.number().gt(0).lt(1),
  })
  .strict();

const logErrorRateRule = z
  .object({
    ...common,
    kind: z.literal('error_rate'),
    /** Error-level log records (severity >= ERROR) ÷ all records: covers services without tracing. */
    over: z.literal('logs'),
    threshold: z.number().gt(0).lt(1),
    /** Fewer records than this in the window never fire. */
    min_records: z.number().int().min(1).default(20),
  })
  .strict();

const errorRateRule = z.discriminatedUnion('over', [requestErrorRateRule, logErrorRateRule]);

const latencyRule = z
  .object({
    ...common,
    ...overRequests,
    kind: z.literal('latency_percentile'),
    percentile: z.union([z.literal(50), z.literal(90), z.literal(95), z.literal(99)]),
    threshold_ms: z.number().positive(),
  })
  .strict();

const logCountRule = z
  .object({
    ...common,
    kind: z.literal('log_count'),
    /** Count only records at least this severe (OpenTelemetry severity number, 1–24). */
    min_severity: z.number().int().min(1).max(24).default(1),
    /** `above`: fire when count > threshold; `below`: fire when count < threshold (absence). */
    op: z.enum(['above', 'below']),
    threshold: z.number().int().min(0),
  })
  .strict();

/**
 * Error-level message patterns (ids and numbers stripped, as the error-messages analysis groups
 * them) of a service: one alert per pattern that is new, or that spikes.
 */
const logPatternRule = z
  .object({
    ...common,
    kind: z.literal('log_pattern'),
    /** A pattern counts when it was logged at least this often in the window. */
    min_count: z.number().int().min(1).default(3),
    /**
     * And at least this share of the service's log records in the window: three errors among a
     * busy service's thousands are chance, not a change.
     */
    min_share: z.number().min(0).max(1).default(0.02),
    /** New: the service never logged it in this long before the window. */
    lookback: secondsOrMore.default(7 * 86_400_000),
    /** Spike: a known pattern logged at least this many times its rate over the lookback. */
    spike_factor: z.number().gt(1).optional(),
  })
  .strict();

/**
 * A service's error rate or p95 against its own past: the same window on each of the past days
 * (median and MAD of those), so daily rhythm is the baseline. Fires on a rise only.
 */
const baselineRule = z
  .object({
    ...common,
    ...overRequests,
    kind: z.literal('baseline'),
    metric: z.enum(['error_rate', 'p95']),
    window: secondsOrMore.default(10 * 60_000),
    /** Past days whose same window make the baseline; days with too few requests are skipped. */
    days: z.number().int().min(3).max(28).default(7),
    /** How far above the median, in MADs (scaled to a normal sigma), the value must be. */
    deviations: z.number().positive().default(4),
    /** And by at least this much, in the metric's unit (a fraction, or ms): no page on noise. */
    min_change: z.number().positive(),
  })
  .strict();

/**
 * Lantern's own storage: fires while, within the window, storage maintenance deleted days to
 * hold the disk budget or the disk, a daily index disappeared without it, or Elasticsearch
 * refused a deletion (docs/storage.md). Not per service: one alert for Lantern.
 */
const storageRule = z
  .object({
    ...common,
    kind: z.literal('storage_deletions'),
    window: secondsOrMore.default(60 * 60_000),
  })
  .strict();

/**
 * A service's newest deploy, while younger than the window, judged against the version it
 * replaced (analysis/deploy-verdict.ts): fires when the new version is worse beyond chance.
 * One alert per service and version.
 */
const faultyDeploymentRule = z
  .object({
    ...common,
    kind: z.literal('faulty_deployment'),
    /** A deploy is judged while it is the service's newest and younger than this. */
    window: secondsOrMore.default(60 * 60_000),
    /** Fewer weighted requests than this on either side is too early to tell. */
    min_requests: z.number().int().min(1).default(DEFAULT_DEPLOY_THRESHOLDS.minRequests),
    /** And a deploy younger than this. */
    min_age: secondsOrMore.default(DEFAULT_DEPLOY_THRESHOLDS.minAgeMs),
    /** The error rate must rise by at least this (a fraction), beyond chance. */
    min_rate_increase: z.number().gt(0).lt(1).default(DEFAULT_DEPLOY_THRESHOLDS.minRateIncrease),
    /** The p95 must grow by at least this factor, beyond chance: 1.2 keeps a 5% slowdown quiet. */
    p95_factor: z.number().gt(1).default(DEFAULT_DEPLOY_THRESHOLDS.p95Factor),
    /** An error pattern only the new version logged counts from this many records. */
    min_pattern_count: z.number().int().min(1).default(DEFAULT_DEPLOY_THRESHOLDS.minPatternCount),
  })
  .strict();

export const ruleSchema = z.discriminatedUnion('kind', [
  errorRateRule,
  latencyRule,
  logCountRule,
  logPatternRule,
  baselineRule,
  storageRule,
  faultyDeploymentRule,
]);
/** A rule of the file's `rules:` list, or one made from an SLO of its `slos:` list. */
export type AlertRule = z.infer<typeof ruleSchema> | BurnRateRule;
export type ErrorRateRule = z.infer<typeof errorRateRule>;
export type RequestErrorRateRule = z.infer<typeof requestErrorRateRule>;
export type LogErrorRateRule = z.infer<typeof logErrorRateRule>;
export type LatencyRule = z.infer<typeof latencyRule>;
export type LogCountRule = z.infer<typeof logCountRule>;
export type LogPatternRule = z.infer<typeof logPatternRule>;
export type BaselineRule = z.infer<typeof baselineRule>;
export type StorageRule = z.infer<typeof storageRule>;
export type FaultyDeploymentRule = z.infer<typeof faultyDeploymentRule>;

/** What a faulty_deployment rule counts as worse, as the verdict takes it. */
export const deployThresholds = (rule: FaultyDeploymentRule): DeployThresholds => ({
  minRequests: rule.min_requests,
  minAgeMs: rule.min_age,
  minRateIncrease: rule.min_rate_increase,
  p95Factor: rule.p95_factor,
  minPatternCount: rule.min_pattern_count,
});

/**
 * `rules:` may be empty: with no `slos:` either, that instance serves the API and evaluates
 * nothing. It is how a second instance runs in front of the same Elasticsearch today, since two
 * evaluating the same rules would each record every transition and each notify.
 */
const fileSchema = z
  .object({ rules: z.array(z.unknown()), slos: z.array(z.unknown()).default([]) })
  .strict();

export interface RulesFile {
  /** Every rule to evaluate: the `rules:` list, then each SLO's burn-rate rules. */
  readonly rules: AlertRule[];
  readonly slos: Slo[];
}

/** A rules file that failed validation; the message lists every problem by rule and field. */
export class RulesFileError extends Error {
  override readonly name = 'RulesFileError';
}

/** Each item of a list, validated; problems name the item (by name or position) and the field. */
function parseEach<T>(
  items: readonly unknown[],
  what: 'rule' | 'SLO',
  list: 'rules' | 'slos',
  schema: z.ZodType<T>,
  problems: string[],
): T[] {
  const parsed: T[] = [];
  items.forEach((raw, index) => {
    const name =
      typeof raw === 'object' && raw !== null && 'name' in raw ? String(raw.name) : `#${index + 1}`;
    const result = schema.safeParse(raw);
    if (!result.success) {
      for (const issue of result.error.issues) {
        const field = issue.path.length > 0 ? issue.path.join('.') : `(${what})`;
        problems.push(`${what} "${name}" (${list}[${index}]), field "${field}": ${issue.message}`);
      }
      return;
    }
    parsed.push(result.data);
  });
  return parsed;
}

/** Validates parsed YAML; every problem is reported, naming the rule or SLO and the field. */
export function parseRulesFile(document: unknown, source = 'rules'): RulesFile {
  const file = fileSchema.safeParse(document);
  if (!file.success) {
    throw new RulesFileError(
      `${source}: expected a top-level "rules:" list (it may be empty: []), optionally "slos:", and nothing else`,
    );
  }
  const problems: string[] = [];
  const slos = parseEach(file.data.slos, 'SLO', 'slos', sloSchema, problems);
  const written = parseEach(file.data.rules, 'rule', 'rules', ruleSchema, problems);
  const rules: AlertRule[] = [...written, ...slos.flatMap(burnRateRules)];
  const sloNames = new Set<string>();
  for (const slo of slos) {
    if (sloNames.has(slo.name)) problems.push(`SLO "${slo.name}": the name is used twice`);
    sloNames.add(slo.name);
  }
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.name)) {
      problems.push(
        rule.kind === 'slo_burn'
          ? `SLO "${rule.slo.name}": its alert rule "${rule.name}" has the name of another rule`
          : `rule "${rule.name}": the name is used twice`,
      );
    }
    seen.add(rule.name);
  }
  const byName = new Map(rules.map((rule) => [rule.name, rule]));
  for (const rule of rules) {
    if (rule.unless === undefined) continue;
    const other = byName.get(rule.unless);
    const problem =
      rule.unless === rule.name
        ? 'names the rule itself'
        : other === undefined
          ? 'names no rule in this file'
          : other.unless !== undefined
            ? `names "${other.name}", which has an "unless" of its own (one level only)`
            : undefined;
    if (problem) problems.push(`rule "${rule.name}", field "unless": ${problem}`);
  }
  if (problems.length > 0)
    throw new RulesFileError(`${source} is invalid:\n  ${problems.join('\n  ')}`);
  return { rules, slos };
}

/** The rules to evaluate of parsed YAML (see {@link parseRulesFile}). */
export const parseRules = (document: unknown, source?: string): AlertRule[] =>
  parseRulesFile(document, source).rules;

/** Reads and validates a rules file (YAML): its rules and SLOs. */
export function loadRulesFile(path: string): RulesFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RulesFileError(`cannot read rules file ${path}: ${(error as Error).message}`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new RulesFileError(`${path} is not valid YAML: ${(error as Error).message}`);
  }
  return parseRulesFile(document, path);
}

/** The rules to evaluate of a rules file (see {@link loadRulesFile}). */
export const loadRules = (path: string): AlertRule[] => loadRulesFile(path).rules;
