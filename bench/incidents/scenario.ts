/**
 * The labelled-incident scenario of `npm run bench -- alerts`: six hours of twenty services,
 * minute by minute, with daily-like variation and noise, two changes that are not incidents (a
 * deploy 5% slower, a traffic doubling) and five labelled incidents. It knows nothing of the
 * rules that will judge it: editing config/rules.yaml cannot tune it.
 */

export const MINUTES = 6 * 60;
export const SERVICES = 20;

export type IncidentKind =
  | 'fast error burst'
  | 'slow error leak'
  | 'new error type'
  | 'latency regression'
  | 'service going silent';

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
];

/** Changes a good alerting system stays quiet about. */
export const NOT_INCIDENTS = [
  { change: 'deploy: latency +5%', service: 3, start: 120 },
  { change: 'traffic doubling', service: 4, start: 180 },
] as const;

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

/** Every request of the scenario, service by service, in time order within each. */
export function* requests(): Generator<Request> {
  const random = prng(20261201);
  const gaussian = (): number =>
    Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  for (let service = 0; service < SERVICES; service += 1) {
    const baseRate = 30 + (service % 5) * 10; // requests per minute
    const baseMs = 40 + (service % 6) * 20; // median latency
    const baseErrors = 0.001 + (service % 4) * 0.001;
    for (let minute = 0; minute < MINUTES; minute += 1) {
      if (during('service going silent', service, minute)) continue;
      const daily = 1 + 0.5 * Math.sin((2 * Math.PI * minute) / MINUTES);
      const doubled =
        service === NOT_INCIDENTS[1].service && minute >= NOT_INCIDENTS[1].start ? 2 : 1;
      const count = Math.max(1, Math.round(baseRate * daily * doubled * (1 + 0.2 * gaussian())));
      const slower =
        (service === NOT_INCIDENTS[0].service && minute >= NOT_INCIDENTS[0].start ? 1.05 : 1) *
        (during('latency regression', service, minute) ? 4 : 1);
      const errors = during('fast error burst', service, minute)
        ? 0.3
        : during('slow error leak', service, minute)
          ? 0.03
          : baseErrors;
      for (let i = 0; i < count; i += 1) {
        const atMs = minute * 60_000 + Math.floor(random() * 60_000);
        const durationMs = baseMs * slower * Math.exp(0.5 * gaussian());
        const failed = random() < errors;
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
