import type { Difference } from '../contracts/api/differences.ts';
import { HTTP_STATUS_ATTRIBUTES } from '../contracts/failed-request.ts';
import { fields } from '../contracts/fields.ts';
import { WEIGHT_ATTRIBUTE } from '../contracts/sampling-weight.ts';

export type Value = string | number | boolean;

/** One attribute value a request has; `field` is where a term query finds it, if stored. */
export interface Observation {
  readonly source: Difference['source'];
  readonly key: string;
  readonly value: Value;
  readonly field?: string | undefined;
}

/** A sampled request: its weight (the requests it stands for) and what it has. */
export interface SampledRequest {
  readonly weight: number;
  readonly traceId: string;
  readonly observations: readonly Observation[];
}

/** A value's weighted share of each group, and the spans each share was measured on. */
export interface Measured {
  readonly observation: Observation;
  readonly selection: number;
  readonly baseline: number;
  readonly selectionSpans: number;
  readonly baselineSpans: number;
}

/** Attributes that describe how a request ended, not why: over-represented by definition. */
const OUTCOME_KEYS = new Set<string>([
  ...HTTP_STATUS_ATTRIBUTES,
  'error.type',
  'otel.status_code',
  'otel.status_description',
  'rpc.grpc.status_code',
  'exception.type',
  'exception.message',
]);
/** Never compared: the sampling weight, and the service every request of the scope has. */
const IGNORED = new Set([`Attributes.${WEIGHT_ATTRIBUTE}`, fields.serviceName]);
/** Longer strings are ids, URLs with queries, messages: never a shared cause. */
const MAX_VALUE_LENGTH = 256;
/** Keys a reader knows best, shown first among values that pick the same requests. */
const PREFERRED = [
  'http.route',
  'service.version',
  'host.name',
  'service.instance.id',
  'deployment.environment',
  'deployment.environment.name',
  'span.name',
];

const isValue = (value: unknown): value is Value =>
  typeof value === 'number' ||
  typeof value === 'boolean' ||
  (typeof value === 'string' && value !== '' && value.length <= MAX_VALUE_LENGTH);

/** What a stored request span (flat keys) has: its attributes, resource and name. */
export function observationsOf(stored: Readonly<Record<string, unknown>>): Observation[] {
  const found: Observation[] = [];
  const name = stored[fields.span.name];
  if (isValue(name))
    found.push({ source: 'span', key: 'span.name', value: name, field: fields.span.name });
  for (const [field, value] of Object.entries(stored)) {
    if (IGNORED.has(field) || !isValue(value)) continue;
    if (field.startsWith('Attributes.'))
      found.push({ source: 'span', key: field.slice('Attributes.'.length), value, field });
    else if (field.startsWith('Resource.'))
      found.push({ source: 'resource', key: field.slice('Resource.'.length), value, field });
  }
  return found;
}

/** A stored request span as a sampled request: its weight (none counts 1) and `observations`. */
export function sampledRequest(
  stored: Readonly<Record<string, unknown>>,
  observations: readonly Observation[] = observationsOf(stored),
): SampledRequest {
  const weight = stored[fields.span.samplingWeight];
  const traceId = stored[fields.traceId];
  return {
    weight: typeof weight === 'number' && weight > 0 ? weight : 1,
    traceId: typeof traceId === 'string' ? traceId : '',
    observations,
  };
}

export const isOutcome = (o: Observation) => o.source === 'span' && OUTCOME_KEYS.has(o.key);
const idOf = (o: Observation) => `${o.source}\u0000${o.key}\u0000${String(o.value)}`;

/** Weighted share of the requests that have each value, in a sample. */
export function sampleShares(requests: readonly SampledRequest[]) {
  const total = requests.reduce((sum, r) => sum + r.weight, 0);
  const shares = new Map<string, { observation: Observation; share: number }>();
  for (const request of requests) {
    for (const observation of new Map(request.observations.map((o) => [idOf(o), o])).values()) {
      const entry = shares.get(idOf(observation)) ?? { observation, share: 0 };
      entry.share += total > 0 ? request.weight / total : 0;
      shares.set(idOf(observation), entry);
    }
  }
  return shares;
}

/**
 * The values worth measuring exactly: in at least 10% of the sampled selection and more often
 * than in the sampled baseline, most over-represented first; `max` causes and `max / 4` outcomes.
 */
export function candidates(
  selection: readonly SampledRequest[],
  baseline: readonly SampledRequest[],
  max: number,
): Observation[] {
  const inBaseline = sampleShares(baseline);
  const ranked = [...sampleShares(selection).entries()]
    .map(([id, { observation, share }]) => ({
      observation,
      share,
      lift: share - (inBaseline.get(id)?.share ?? 0),
    }))
    .filter((c) => c.share >= 0.1 && c.lift > 0)
    .sort((a, b) => b.lift - a.lift);
  const causes = ranked.filter((c) => !isOutcome(c.observation)).slice(0, max);
  const outcomes = ranked.filter((c) => isOutcome(c.observation)).slice(0, Math.ceil(max / 4));
  return [...causes, ...outcomes].map((c) => c.observation);
}

/**
 * Whether a difference of shares is beyond what chance explains for the spans measured: a
 * two-proportion z of at least 3, and at least 5 points apart.
 */
export function beyondChance(m: Measured): boolean {
  const lift = m.selection - m.baseline;
  if (lift < 0.05) return false;
  const n1 = m.selectionSpans;
  const n2 = m.baselineSpans;
  if (n1 <= 0) return false;
  if (n2 <= 0) return true;
  const pooled = (m.selection * n1 + m.baseline * n2) / (n1 + n2);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2));
  return se === 0 || lift / se >= 3;
}

const rank = (o: Observation) => {
  const at = PREFERRED.indexOf(o.key);
  return at === -1 ? PREFERRED.length + (o.source === 'resource' ? 1 : 0) : at;
};

/**
 * Measured values as the answer lists them: beyond chance only, most over-represented first,
 * values that pick exactly the same requests folded into one (the best-known key shown), and
 * outcomes apart.
 */
export function rankDifferences(measured: readonly Measured[]): {
  attributes: Difference[];
  outcomes: Difference[];
} {
  const kept = measured
    .filter(beyondChance)
    .sort(
      (a, b) =>
        b.selection - b.baseline - (a.selection - a.baseline) ||
        rank(a.observation) - rank(b.observation),
    );
  const folded: { head: Measured; sameAs: string[] }[] = [];
  for (const m of kept) {
    const twin = folded.find(
      (f) =>
        f.head.observation.source !== 'downstream' &&
        m.observation.source !== 'downstream' &&
        isOutcome(f.head.observation) === isOutcome(m.observation) &&
        Math.abs(f.head.selection - m.selection) < 1e-9 &&
        Math.abs(f.head.baseline - m.baseline) < 1e-9,
    );
    if (!twin) folded.push({ head: m, sameAs: [] });
    else if (rank(m.observation) < rank(twin.head.observation)) {
      twin.sameAs.push(`${twin.head.observation.key}=${String(twin.head.observation.value)}`);
      twin.head = m;
    } else twin.sameAs.push(`${m.observation.key}=${String(m.observation.value)}`);
  }
  const answer = folded.map(({ head, sameAs }) => ({
    source: head.observation.source,
    key: head.observation.key,
    value: String(head.observation.value),
    selection: clampShare(head.selection),
    baseline: clampShare(head.baseline),
    sameAs,
    outcome: isOutcome(head.observation),
  }));
  const strip = ({ outcome: _, ...difference }: (typeof answer)[number]): Difference => difference;
  return {
    attributes: answer.filter((d) => !d.outcome).map(strip),
    outcomes: answer.filter((d) => d.outcome).map(strip),
  };
}

const clampShare = (share: number) => Math.min(1, Math.max(0, share));
