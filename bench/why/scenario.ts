/**
 * The seeded incidents of `npm run bench -- why`: twenty minutes of a dozen services, each with
 * the same mix of ordinary attributes (routes, three hosts of two instances each, customer
 * tiers, a version), so every value but the cause is a decoy. From minute 10 one factor per
 * service fails or slows a share of the requests it touches; a little background failure and a
 * natural latency tail run everywhere, all the time. It knows nothing of the ranking that will
 * judge it.
 */

export const MINUTES = 20;
/** The minute every incident starts; each lasts to the end. */
export const ONSET = 10;
/** Requests a second per service. */
const RATE = 10;
/** The latency bound of the slow incidents' selection (the Collector keeps every slower trace). */
export const SLOW_MS = 500;

/** What a request has: the attributes the comparison ranks. */
export interface Traits {
  readonly route: string;
  readonly method: string;
  readonly host: string;
  readonly instance: string;
  readonly version: string;
  readonly tier: string;
}

/** A call into the backend: its operation, and how it went. */
export interface Call {
  readonly operation: string;
  readonly durationMs: number;
  readonly failed: boolean;
}

export interface Request {
  readonly incident: number;
  /** Ms from the scenario's start. */
  readonly atMs: number;
  readonly durationMs: number;
  readonly failed: boolean;
  readonly traits: Traits;
  /** The backend call of a service that makes one for every request. */
  readonly call?: Call;
}

export interface Incident {
  readonly name: string;
  readonly selection: 'failed' | 'slow';
  /** The cause, as the comparison names it (`key=value`; `backend` for the backend's service). */
  readonly cause: string;
  /** Whether the factor hits this request (the backend call's operation for downstream ones). */
  readonly hits: (traits: Traits, operation: string | undefined) => boolean;
  /** Share of the requests it hits that fail or slow down. */
  readonly share: number;
  /** Whether its requests call the backend (every request: its routes' operations). */
  readonly callsBackend?: boolean;
}

const CANARY = '1.5.0';
const STABLE = '1.4.2';

export const INCIDENTS: readonly Incident[] = [
  {
    name: 'route fails',
    selection: 'failed',
    cause: 'http.route=/checkout',
    share: 0.25,
    hits: (t) => t.route === '/checkout',
  },
  {
    name: 'canary version fails',
    selection: 'failed',
    cause: `service.version=${CANARY}`,
    share: 0.2,
    hits: (t) => t.version === CANARY,
  },
  {
    name: 'host fails',
    selection: 'failed',
    cause: 'host.name=host-2',
    share: 0.15,
    hits: (t) => t.host === 'host-2',
  },
  {
    name: 'instance fails',
    selection: 'failed',
    cause: 'service.instance.id=host-3-a',
    share: 0.3,
    hits: (t) => t.instance === 'host-3-a',
  },
  {
    name: 'customer tier fails',
    selection: 'failed',
    cause: 'app.customer.tier=gold',
    share: 0.25,
    hits: (t) => t.tier === 'gold',
  },
  {
    name: 'downstream op fails',
    selection: 'failed',
    cause: 'downstream.error=backend POST /charge',
    share: 0.3,
    hits: (_, op) => op === 'POST /charge',
    callsBackend: true,
  },
  {
    name: 'slow route',
    selection: 'slow',
    cause: 'http.route=/search',
    share: 0.4,
    hits: (t) => t.route === '/search',
  },
  {
    name: 'slow host',
    selection: 'slow',
    cause: 'host.name=host-1',
    share: 0.2,
    hits: (t) => t.host === 'host-1',
  },
  {
    name: 'slow downstream op',
    selection: 'slow',
    cause: 'downstream.slow=backend GET /stock',
    share: 0.3,
    hits: (_, op) => op === 'GET /stock',
    callsBackend: true,
  },
  {
    name: 'slow canary version',
    selection: 'slow',
    cause: `service.version=${CANARY}`,
    share: 0.2,
    hits: (t) => t.version === CANARY,
  },
  {
    name: 'slow instance',
    selection: 'slow',
    cause: 'service.instance.id=host-2-b',
    share: 0.3,
    hits: (t) => t.instance === 'host-2-b',
  },
  {
    name: 'slow customer tier',
    selection: 'slow',
    cause: 'app.customer.tier=gold',
    share: 0.3,
    hits: (t) => t.tier === 'gold',
  },
];

/** Routes with their share of the traffic, method, and the backend operation they call. */
const ROUTES = [
  { route: '/home', share: 0.4, method: 'GET', operation: 'GET /stock' },
  { route: '/search', share: 0.25, method: 'GET', operation: 'GET /stock' },
  { route: '/cart', share: 0.15, method: 'POST', operation: 'POST /charge' },
  { route: '/checkout', share: 0.15, method: 'POST', operation: 'POST /charge' },
  { route: '/account', share: 0.05, method: 'GET', operation: 'GET /profile' },
] as const;
const TIERS = [
  { tier: 'bronze', share: 0.6 },
  { tier: 'silver', share: 0.3 },
  { tier: 'gold', share: 0.1 },
] as const;
/** Failures and slowness that have no cause: everywhere, all the time. */
const BACKGROUND_FAILURES = 0.005;
const MEDIAN_MS = 50;
const SIGMA = 0.8;
/** Slowed requests take 630–1,170 ms. */
const SLOW_MEDIAN_MS = 900;

/** Deterministic pseudo-random numbers, so every run judges the same scenario. */
function prng(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function pick<T extends { share: number }>(items: readonly T[], u: number): T {
  let left = u;
  for (const item of items) {
    if (left < item.share) return item;
    left -= item.share;
  }
  return items[items.length - 1] as T;
}

/** Every request of the scenario, incident by incident, in time order within each. */
export function* requests(): Generator<Request> {
  const random = prng(20261208);
  const gaussian = (): number =>
    Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const latency = (median: number) => median * Math.exp(SIGMA * gaussian());
  for (const [index, incident] of INCIDENTS.entries()) {
    const count = MINUTES * 60 * RATE;
    for (let i = 0; i < count; i += 1) {
      const atMs = Math.floor((i / count) * MINUTES * 60_000 + random() * (1000 / RATE));
      const route = pick(ROUTES, random());
      const host = `host-${1 + Math.floor(random() * 3)}`;
      const instance = `${host}-${random() < 0.5 ? 'a' : 'b'}`;
      const during = atMs >= ONSET * 60_000;
      // The canary: every host's b instance runs the new version from the onset.
      const version = during && instance.endsWith('-b') ? CANARY : STABLE;
      const traits: Traits = {
        route: route.route,
        method: route.method,
        host,
        instance,
        version,
        tier: pick(TIERS, random()).tier,
      };
      const operation = incident.callsBackend ? route.operation : undefined;
      const struck = during && incident.hits(traits, operation) && random() < incident.share;
      const failedHere = random() < BACKGROUND_FAILURES;
      const slow = struck && incident.selection === 'slow';
      const fails = struck && incident.selection === 'failed';
      const durationMs = slow ? SLOW_MEDIAN_MS * (0.7 + 0.6 * random()) : latency(MEDIAN_MS);
      if (!operation) {
        yield { incident: index, atMs, durationMs, failed: fails || failedHere, traits };
        continue;
      }
      // The backend's part: most of the request's time, and the failure when it fails.
      const callMs = slow ? durationMs : latency(MEDIAN_MS * 0.6);
      yield {
        incident: index,
        atMs,
        durationMs: callMs + latency(MEDIAN_MS * 0.4),
        failed: fails || failedHere,
        traits,
        call: { operation, durationMs: callMs, failed: fails },
      };
    }
  }
}
