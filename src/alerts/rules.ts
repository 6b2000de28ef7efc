import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { z } from 'zod';
import { durationMs, secondsOrMore } from '../contracts/duration.ts';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export const severityRank = (severity: Severity): number => SEVERITIES.indexOf(severity) + 1;

const common = {
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/i, 'letters, digits, "_", "-", "." only'),
  /** Only this service; omitted → the rule is evaluated for every service separately. */
  service: z.string().min(1).optional(),
  window: secondsOrMore.default(5 * 60_000),
  for: durationMs.default(0),
  keep_firing_for: durationMs.default(0),
  severity: z.enum(SEVERITIES),
  labels: z.record(z.string(), z.string()).default({}),
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

const errorRateRule = z
  .object({
    ...common,
    ...overRequests,
    kind: z.literal('error_rate'),
    /** Fraction of requests (weighted server spans) that failed, 0–1. */
    threshold: z.number().gt(0).lt(1),
  })
  .strict();

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

export const ruleSchema = z.discriminatedUnion('kind', [errorRateRule, latencyRule, logCountRule]);
export type AlertRule = z.infer<typeof ruleSchema>;
export type ErrorRateRule = z.infer<typeof errorRateRule>;
export type LatencyRule = z.infer<typeof latencyRule>;
export type LogCountRule = z.infer<typeof logCountRule>;

/**
 * An empty list is allowed: that instance serves the API and evaluates nothing. It is how a
 * second instance runs in front of the same Elasticsearch today, since two evaluating the same
 * rules would each record every transition and each notify.
 */
const fileSchema = z.object({ rules: z.array(z.unknown()) }).strict();

/** A rules file that failed validation; the message lists every problem by rule and field. */
export class RulesFileError extends Error {
  override readonly name = 'RulesFileError';
}

/** Validates parsed YAML; every problem is reported, naming the rule and the field. */
export function parseRules(document: unknown, source = 'rules'): AlertRule[] {
  const file = fileSchema.safeParse(document);
  if (!file.success) {
    throw new RulesFileError(
      `${source}: expected a top-level "rules:" list (it may be empty: []) and nothing else`,
    );
  }
  const problems: string[] = [];
  const rules: AlertRule[] = [];
  file.data.rules.forEach((raw, index) => {
    const name =
      typeof raw === 'object' && raw !== null && 'name' in raw ? String(raw.name) : `#${index + 1}`;
    const parsed = ruleSchema.safeParse(raw);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = issue.path.length > 0 ? issue.path.join('.') : '(rule)';
        problems.push(`rule "${name}" (rules[${index}]), field "${field}": ${issue.message}`);
      }
      return;
    }
    rules.push(parsed.data);
  });
  const seen = new Set<string>();
  for (const rule of rules) {
    if (seen.has(rule.name)) problems.push(`rule "${rule.name}": the name is used twice`);
    seen.add(rule.name);
  }
  if (problems.length > 0)
    throw new RulesFileError(`${source} is invalid:\n  ${problems.join('\n  ')}`);
  return rules;
}

/** Reads and validates a rules file (YAML). */
export function loadRules(path: string): AlertRule[] {
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
  return parseRules(document, path);
}
