/**
 * The labelled-incident scenario of `npm run bench -- alerts`: six hours of services, minute by
 * minute, with daily-like variation and noise, labelled incidents, and changes that are not
 * incidents. Twenty ordinary services (a deploy 5% slower and a traffic doubling among them),
 * then healthy but awkward ones: low traffic with chance clusters of failures, a heavy latency
 * tail, a tenfold traffic ramp, a deploy 10% slower, services younger than every rule's window,
 * and one like the demo's frontend for the whole run. It knows nothing of the rules that will
 * judge it: editing config/rules.yaml cannot tune it.
 */

export const MINUTES = 6 * 60;

export type IncidentKind =
  | 'fast error burst'
  | 'slow error leak'
  | 'new error type'
  | 'latency regression'
  | 'service going silent'
  | '25% failure burst';

export interface Incident {
  readonly kind: IncidentKind;
  readonly service: number;
  /** Minutes from the scenario's start; `end` exclusive. */
  readonly start: number;
  readonly end: number;
}

export const INCIDENTS: readonly Incident[] = [
  { kind: 'fast error burst', service: 5, start: 200, end: 215 },
  { kind: 'slow error leak', service: 6, start: 60, end: MINUTES },
  { kind: 'new error type', service: 7, start: 240, end: 260 },
  { kind: 'latency regression', service: 8, start: 150, end: MINUTES },
  { kind: 'service going silent', service: 9, start: 300, end: MINUTES },
  { kind: '25% failure burst', service: 27, start: 230, end: 245 },
];

/** How a service behaves when nothing happens to it. */
interface Profile {
  /** Requests per minute. */
  readonly rate: number;
  /** Median latency, ms, and the log-normal spread around it. */
  readonly medianMs: number;
  readonly sigma: number;
  /** Share of requests that fail. */
  readonly errors: number;
  /** The minute it starts sending (0: from the start). */
  readonly from: number;
}

/** Changes a good alerting system stays quiet about, and the services that make them. */
export const NOT_INCIDENTS = [
  { change: 'deploy: latency +5%', service: 3 },
  { change: 'traffic doubling', service: 4 },
  { change: 'low traffic (12/min, 1% failing), chance clusters of 4 failures', service: 20 },
  { change: 'heavy latency tail (p95 near 500 ms)', service: 21 },
  { change: 'tenfold traffic ramp', service: 22 },
  { change: 'deploy: latency +10% (p95 near 450 ms)', service: 23 },
  { change: 'young: 30 minutes of history, 1% failing', service: 24 },
  { change: 'young: from minute 100, 1% failing', service: 25 },
  { change: 'demo-like: 4 requests/s, 1% failing, the whole run', service: 26 },
] as const;

const AWKWARD: Readonly<Record<number, Profile>> = {
  20: { rate: 12, medianMs: 60, sigma: 0.5, errors: 0.01, from: 0 },
  21: { rate: 40, medianMs: 40, sigma: 1.4, errors: 0.002, from: 0 },
  22: { rate: 30, medianMs: 80, sigma: 0.5, errors: 0.003, from: 0 },
  23: { rate: 40, medianMs: 175, sigma: 0.5, errors: 0.002, from: 0 },
  24: { rate: 40, medianMs: 60, sigma: 0.5, errors: 0.01, from: MINUTES - 30 },
  25: { rate: 30, medianMs: 60, sigma: 0.5, errors: 0.01, from: 100 },
  26: { rate: 240, medianMs: 30, sigma: 0.5, errors: 0.01, from: 0 },
  27: { rate: 40, medianMs: 60, sigma: 0.5, errors: 0.002, from: 0 },
};

/** Minutes at whose start the low-traffic service fails four requests in a row. */
const CHANCE_CLUSTERS = [130, 280];
/** The ramp: ten times the traffic, reached linearly over twenty minutes from this minute. */
const RAMP_FROM = 180;
/** The 10%-slower deploy. */
const SLOWER_DEPLOY_AT = 200;

export const SERVICES = 20 + Object.keys(AWKWARD).length;

export interface Request {
  readonly service: number;
  /** Ms from the scenario's start. */
  readonly atMs: number;
  readonly durationMs: number;
  readonly failed: boolean;
  /** The log record it writes: an error for a failed request, or an incident's new error. */
  readonly log: { readonly error: boolean; readonly message: string };
}

/** Deterministic pseudo-random numbers, so every run judges the same scenario. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

const during = (kind: IncidentKind, service: number, minute: number): boolean =>
  INCIDENTS.some(
    (i) => i.kind === kind && i.service === service && minute >= i.start && minute < i.end,
  );

function profileOf(service: number): Profile {
  return (
    AWKWARD[service] ?? {
      rate: 30 + (service % 5) * 10,
      medianMs: 40 + (service % 6) * 20,
      sigma: 0.5,
      errors: 0.001 + (service % 4) * 0.001,
      from: 0,
    }
  );
}

/** How many times its usual traffic a service sends in a minute. */
function trafficFactor(service: number, minute: number): number {
  if (service === 4 && minute >= 180) return 2;
  if (service === 22) return 1 + 9 * Math.min(1, Math.max(0, (minute - RAMP_FROM) / 20));
  return 1;
}

/** How many times its usual latency a service takes in a minute. */
function slowness(service: number, minute: number): number {
  if (service === 3 && minute >= 120) return 1.05;
  if (service === 23 && minute >= SLOWER_DEPLOY_AT) return 1.1;
  return during('latency regression', service, minute) ? 4 : 1;
}

function errorRate(service: number, minute: number, usual: number): number {
  if (during('fast error burst', service, minute)) return 0.3;
  if (during('25% failure burst', service, minute)) return 0.25;
  if (during('slow error leak', service, minute)) return 0.03;
  return usual;
}

/** Every request of the scenario, service by service, in time order within each. */
export function* requests(): Generator<Request> {
  const random = prng(20261201);
  const gaussian = (): number =>
    Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  for (let service = 0; service < SERVICES; service += 1) {
    const profile = profileOf(service);
    for (let minute = profile.from; minute < MINUTES; minute += 1) {
      if (during('service going silent', service, minute)) continue;
      const daily = 1 + 0.5 * Math.sin((2 * Math.PI * minute) / MINUTES);
      const count = Math.max(
        1,
        Math.round(profile.rate * daily * trafficFactor(service, minute) * (1 + 0.2 * gaussian())),
      );
      const errors = errorRate(service, minute, profile.errors);
      const cluster = service === 20 && CHANCE_CLUSTERS.includes(minute) ? 4 : 0;
      for (let i = 0; i < count; i += 1) {
        const atMs = minute * 60_000 + Math.floor(random() * 60_000);
        const durationMs =
          profile.medianMs * slowness(service, minute) * Math.exp(profile.sigma * gaussian());
        const failed = random() < errors || i < cluster;
        const newError = during('new error type', service, minute) && random() < 0.2;
        const id = Math.floor(random() * 1e6);
        yield {
          service,
          atMs,
          durationMs,
          failed,
          log: failed
            ? { error: true, message: `payment declined for order ${id}` }
            : newError
              ? { error: true, message: `ledger ${id} rejected by upstream ${service}` }
              : { error: false, message: `order ${id} ok in ${durationMs.toFixed(0)} ms` },
        };
      }
    }
  }
}
