import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../../src/storage/alert-store.ts';
import { AlertEngine } from '../../src/alerts/engine.ts';
import { loadRules, type AlertRule, type ErrorRateRule } from '../../src/alerts/rules.ts';
import {
  plainCounts,
  rateLowerBound,
  type WeightedCounts,
} from '../../src/analysis/rate-evidence.ts';
import { clockedEngine } from '../support/clocked-engine.ts';
import { es } from '../../tools/harness/stores.ts';
import { repoRoot } from '../../tools/stack/paths.ts';
import {
  bulkLoad,
  logDocument,
  spanDocument,
  type SeedLog,
  type SeedSpan,
} from '../support/seed.ts';

/**
 * The log-based error rate against the real Elasticsearch, with Lantern's default rules: a
 * service that only writes logs gets an alert, a service whose failed requests also write error
 * logs gets one alert (the request one), and a quiet service none. Then the evidence both error
 * rates ask for: chance clusters on low-traffic services (requests and logs) stay quiet, and a
 * sampled service's bound rests on its spans' weights as Elasticsearch sums them.
 */
const run = Date.now().toString(36);
const WORKER = `worker-${run}`; // logs only
const SHOP = `shop-${run}`; // requests, and an error log per failed request
const QUIET = `quiet-${run}`; // logs only, 2% errors
const CLUSTER = `cluster-${run}`; // 12 requests and records a minute, four failures in 90 s
const SAMPLED = `sampled-${run}`; // OK requests kept at weight 10, failures at weight 1
const MINUTE = 60_000;
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE - 40 * MINUTE;
const STEP = 2000;
const BURST_END = T0 + 8 * MINUTE;

const logs: SeedLog[] = [];
const spans: SeedSpan[] = [];
for (let i = 0, at = T0; at <= T0 + 20 * MINUTE; i += 1, at += STEP) {
  const inBurst = at < BURST_END;
  const record = (service: string, error: boolean): SeedLog => ({
    service,
    at,
    severityNumber: error ? 17 : 9,
    message: error ? `job ${i} failed: connection refused` : `job ${i} done`,
    traceId: i.toString(16).padStart(32, '0'),
    spanId: i.toString(16).padStart(16, '0'),
  });
  logs.push(record(WORKER, inBurst && i % 10 < 3));
  logs.push(record(QUIET, i % 50 === 0));
  const failed = inBurst && i % 5 === 0;
  spans.push({ service: SHOP, route: '/cart', at, durationMs: 20, failed, weight: 1 });
  logs.push(record(SHOP, failed));
}

// Low traffic: a request (and its record) every 5 s, with a chance cluster of four failures
// within 90 s of the window: 6.7% of the requests, 6.7% of the records.
for (let i = 0, at = T0 + 1000; at < T0 + 20 * MINUTE; i += 1, at += 5000) {
  const failed = i >= 12 && i <= 30 && i % 6 === 0;
  spans.push({ service: CLUSTER, route: '/slow-lane', at, durationMs: 20, failed, weight: 1 });
  logs.push({
    service: CLUSTER,
    at,
    severityNumber: failed ? 17 : 9,
    message: failed ? `request ${i} failed: upstream reset` : `request ${i} done`,
    traceId: `c${i.toString(16).padStart(31, '0')}`,
    spanId: i.toString(16).padStart(16, '0'),
  });
}
// Sampled: an OK span every 50 s standing for 10 requests; in the burst a failure every 15 s.
for (let at = T0 + 500; at < T0 + 20 * MINUTE; at += 50_000)
  spans.push({ service: SAMPLED, route: '/pay', at, durationMs: 20, failed: false, weight: 10 });
for (let at = T0 + 700; at < BURST_END; at += 15_000)
  spans.push({ service: SAMPLED, route: '/pay', at, durationMs: 20, failed: true, weight: 1 });

/** A service's spans over [from, to), summed as the rule sums them. */
function spanCounts(service: string, from: number, to: number): WeightedCounts {
  const mine = spans.filter((s) => s.service === service && s.at >= from && s.at < to);
  const sum = (list: typeof mine, f: (w: number) => number) =>
    list.reduce((total, s) => total + f(s.weight), 0);
  const failed = mine.filter((s) => s.failed);
  return {
    events: mine.length,
    total: sum(mine, (w) => w),
    totalSquares: sum(mine, (w) => w * w),
    failed: sum(failed, (w) => w),
    failedSquares: sum(failed, (w) => w * w),
  };
}

/** The share of error records of a service over [from, to), as Lantern must compute it. */
function truth(service: string, from: number, to: number): number {
  const mine = logs.filter((l) => l.service === service && l.at >= from && l.at < to);
  return mine.filter((l) => l.severityNumber >= 17).length / mine.length;
}

/** The default request and log error-rate rules, for this run's services only. */
const defaults = loadRules(join(repoRoot, 'config', 'rules.yaml'));
const rule = (name: string): ErrorRateRule => {
  const found = defaults.find((candidate) => candidate.name === name);
  if (found?.kind !== 'error_rate') throw new Error(`config/rules.yaml has no error rule ${name}`);
  return found;
};
const ours = (name: string) => `${name}-${run}`;
const rules: AlertRule[] = [WORKER, SHOP, QUIET].flatMap((service) => [
  { ...rule('error-rate-high'), name: ours(`error-rate-high-${service}`), service },
  {
    ...rule('log-error-rate-high'),
    name: ours(`log-error-rate-high-${service}`),
    unless: ours(`error-rate-high-${service}`),
    service,
  },
]);

const engine = clockedEngine(rules);
/** Transitions at `at`, as [service, what the rule counts, from, to]. */
const evaluateAt = async (at: number): Promise<string[][]> =>
  (await engine.evaluateAt(at)).map((t) => [
    String(t.service),
    t.rule.startsWith('log-') ? 'logs' : 'requests',
    t.from,
    t.to,
  ]);

beforeAll(async () => {
  const suffix = run.replace(/[^a-z0-9]/g, '');
  await bulkLoad(`lantern-logs-seed-log-rate-${suffix}`, logs.map(logDocument));
  await bulkLoad(`lantern-spans-seed-log-rate-${suffix}`, spans.map(spanDocument));
}, 120_000);

describe("the default log error-rate rule, through the alert's whole life", () => {
  it('alerts once per incident: for the logs-only service on its logs, for the shop on its requests', async () => {
    const log = rule('log-error-rate-high');
    expect(log).toMatchObject({ kind: 'error_rate', over: 'logs', unless: 'error-rate-high' });

    // Five minutes into the burst: the worker's records are 30% errors, the shop's requests 20%.
    // (Rules with `unless` are evaluated after the rule they name.)
    expect(await evaluateAt(T0 + 5 * MINUTE)).toEqual([
      [SHOP, 'requests', 'inactive', 'pending'],
      [WORKER, 'logs', 'inactive', 'pending'],
    ]);
    const [worker] = (await new AlertStore(es).active()).filter(
      (alert) => alert.rule === ours(`log-error-rate-high-${WORKER}`),
    );
    expect(worker?.value).toBeCloseTo(truth(WORKER, T0, T0 + 5 * MINUTE), 6);
    const records = logs.filter(
      (l) => l.service === WORKER && l.at >= T0 && l.at < T0 + 5 * MINUTE,
    );
    const bound = rateLowerBound(
      plainCounts(records.length, records.filter((l) => l.severityNumber >= 17).length),
    );
    const shown = (rate: number) => `${String(Number((rate * 100).toPrecision(3)))}%`;
    expect(worker?.summary).toBe(
      `${WORKER}: ${shown(truth(WORKER, T0, T0 + 5 * MINUTE))} of log records were errors over 5 minutes, at least ${shown(bound)} beyond chance (threshold 10%)`,
    );

    // `for: 1m` later both fire; the shop's error logs (20% of its records) stay covered.
    expect(await evaluateAt(T0 + 6 * MINUTE)).toEqual([
      [SHOP, 'requests', 'pending', 'firing'],
      [WORKER, 'logs', 'pending', 'firing'],
    ]);
    expect(await evaluateAt(T0 + 7 * MINUTE)).toEqual([]);

    // The burst ended at 8 minutes; once the window holds none of it and keep_firing_for
    // (2 minutes) has passed, both resolve. The quiet service never alerted.
    expect(await evaluateAt(T0 + 15 * MINUTE)).toEqual([
      [SHOP, 'requests', 'firing', 'resolved'],
      [WORKER, 'logs', 'firing', 'resolved'],
    ]);
    expect(truth(QUIET, T0, T0 + 20 * MINUTE)).toBeGreaterThan(0.01);
  });

  it("fires for a service's error logs when its own request rule is quiet", async () => {
    // The shop's log rule alone (no request rule to defer to) does see its 20% error records.
    const alone = new AlertEngine(
      es,
      new AlertStore(es),
      [{ ...rule('log-error-rate-high'), name: ours('alone'), unless: undefined, service: SHOP }],
      { intervalMs: 1000, queryOffsetMs: 0, now: () => T0 + 5 * MINUTE, warn: () => undefined },
    );
    const report = await alone.evaluateOnce();
    expect(report.transitions.filter((t) => t.rule === ours('alone')).map((t) => t.to)).toEqual([
      'pending',
    ]);
  });
});

describe('error rates ask for evidence beyond chance', () => {
  const evidence = clockedEngine(
    [CLUSTER, SAMPLED].flatMap((service) => [
      { ...rule('error-rate-high'), name: ours(`evidence-requests-${service}`), service },
      {
        ...rule('log-error-rate-high'),
        name: ours(`evidence-logs-${service}`),
        unless: undefined,
        service,
        threshold: 0.05,
      },
    ]),
  );
  const window = { from: T0, to: T0 + 5 * MINUTE };

  it('a chance cluster on a low-traffic service is over the threshold, not beyond chance: no alert', async () => {
    expect(truth(CLUSTER, window.from, window.to)).toBeGreaterThan(0.05);
    const counts = spanCounts(CLUSTER, window.from, window.to);
    expect(counts.failed / counts.total).toBeGreaterThan(0.05);
    // Only the sampled service's burst moves.
    const transitions = await evidence.evaluateAt(window.to);
    expect(transitions.map((t) => [t.service, t.to])).toEqual([[SAMPLED, 'pending']]);
  });

  it("a sampled service's burst fires, its bound beside the value as the weights make it", async () => {
    const [alert] = (await new AlertStore(es).active()).filter(
      (a) => a.rule === ours(`evidence-requests-${SAMPLED}`),
    );
    const counts = spanCounts(SAMPLED, window.from, window.to);
    expect(alert?.value).toBeCloseTo(counts.failed / counts.total, 6);
    const bound = rateLowerBound(counts);
    // Σw² read back from Elasticsearch: the bound of equal weights would be far higher.
    expect(bound).toBeLessThan(rateLowerBound(plainCounts(counts.total, counts.failed)) - 0.03);
    expect(alert?.annotations.lower_bound).toBe(`${String(Number((bound * 100).toPrecision(3)))}%`);
  });
});
