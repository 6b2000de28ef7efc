import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertEngine } from '../../src/alerts/engine.ts';
import type { EvaluationReport } from '../../src/alerts/evaluator.ts';
import { loadRules, parseRules } from '../../src/alerts/rules.ts';
import type { DeploymentComparison } from '../../src/contracts/api/deployments.ts';
import { fields } from '../../src/contracts/fields.ts';
import { AlertStore } from '../../src/storage/alert-store.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { es } from '../../tools/harness/stores.ts';
import { repoRoot } from '../../tools/stack/paths.ts';
import { newSpanId, newTraceId } from '../../tools/harness/trace-ids.ts';
import { clockedEngine } from '../support/clocked-engine.ts';
import { upTo } from '../support/polling.ts';
import { bulkLoad, logDocument, spanDocument } from '../support/seed.ts';

/**
 * A deploy's before/after comparison and the faulty-deployment rule, against the real
 * Elasticsearch: three services switch from 1.0 to 2.0 at the same minute, one failing 30% of
 * its requests and logging a new error, one three times slower, one 5% slower (neutral). Spans
 * are kept as the sampler keeps them: failures at weight 1, the rest at weight 4.
 */
const run = Date.now().toString(36);
const BAD = `cmp-bad-${run}`;
const SLOW = `cmp-slow-${run}`;
const NEUTRAL = `cmp-neutral-${run}`;
/** 2.0 is neutral, and 3.0 replaces it ten minutes later, failing like BAD's 2.0. */
const REPLACED = `cmp-replaced-${run}`;
const MINUTE = 60_000;
const T = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
/** The deploy: 40 minutes ago, so each side's 30-minute window is whole. */
const D = T - 40 * MINUTE;
const START = D - 60 * MINUTE;
/** Two stored spans a second, 100 ms past each half second (never on a window's edge). */
const at = (i: number) => START + i * 500 + 100;
const SPANS = (T - START) / 500;
const FIRST_NEW = at((D - START) / 500);
const NEXT = D + 10 * MINUTE;
const versionAt = (service: string, ms: number) =>
  ms < D ? '1.0' : service === REPLACED && ms >= NEXT ? '3.0' : '2.0';
const iso = (ms: number) => new Date(ms).toISOString();

interface Seeded {
  at: number;
  version: string;
  failed: boolean;
  durationMs: number;
  weight: number;
}
type Behaviour = (i: number, isNew: boolean) => { failed: boolean; durationMs: number };
const base = (i: number) => ({ failed: i % 100 === 0, durationMs: 10 + (i % 20) });
const behaviours: Record<string, Behaviour> = {
  [BAD]: (i, isNew) => (isNew ? { failed: i % 10 < 3, durationMs: 10 + (i % 20) } : base(i)),
  [SLOW]: (i, isNew) => ({ ...base(i), durationMs: base(i).durationMs * (isNew ? 3 : 1) }),
  [NEUTRAL]: (i, isNew) => ({ ...base(i), durationMs: base(i).durationMs * (isNew ? 1.05 : 1) }),
  [REPLACED]: (i) => (at(i) >= NEXT ? { failed: i % 10 < 3, durationMs: 10 + (i % 20) } : base(i)),
};

const seeded = new Map<string, Seeded[]>();
const spans: Record<string, unknown>[] = [];
const logs: Record<string, unknown>[] = [];
for (const [service, behaviour] of Object.entries(behaviours)) {
  const list: Seeded[] = [];
  for (let i = 0; i < SPANS; i += 1) {
    const isNew = at(i) >= D;
    const { failed, durationMs } = behaviour(i, isNew);
    const span = {
      at: at(i),
      version: versionAt(service, at(i)),
      failed,
      durationMs,
      weight: failed ? 1 : 4,
    };
    list.push(span);
    const traceId = newTraceId();
    spans.push({
      ...spanDocument({ service, route: '/pay', ...span, traceId }),
      [fields.serviceVersion]: span.version,
    });
    const log = (message: string) =>
      logs.push(
        logDocument({
          service,
          at: span.at,
          severityNumber: 17,
          message,
          traceId,
          spanId: newSpanId(),
        }),
      );
    // Both versions time out now and then: a known pattern, never new.
    if (i % 50 === 0) log(`upstream timeout after ${String(i % 997)} ms`);
    // BAD's 2.0 and REPLACED's 3.0 log a new error with each failure.
    if (failed && (service === BAD ? isNew : span.version === '3.0'))
      log(`payment declined for order ${String(i)}`);
  }
  seeded.set(service, list);
}

/** The seeded truth of one version in [from, to). */
function truth(service: string, version: string, from: number, to: number) {
  const inside = (seeded.get(service) ?? []).filter(
    (s) => s.version === version && s.at >= from && s.at < to,
  );
  const requests = inside.reduce((sum, s) => sum + s.weight, 0);
  const failed = inside.filter((s) => s.failed).reduce((sum, s) => sum + s.weight, 0);
  // The weighted p95: the smallest duration with 95% of the weight at or below it.
  const sorted = [...inside].sort((a, b) => a.durationMs - b.durationMs);
  let below = 0;
  const p95 = sorted.find((s) => (below += s.weight) >= 0.95 * requests)?.durationMs ?? 0;
  return { requests, failed, p95 };
}

let api: ApiUnderTest;
beforeAll(async () => {
  await bulkLoad(`lantern-spans-seed-deploycmp-${run}`, spans);
  await bulkLoad(`lantern-logs-seed-deploycmp-${run}`, logs);
  api = await startApi(es);
}, 120_000);
afterAll(async () => {
  await api.close();
});

async function comparison(query: string): Promise<DeploymentComparison> {
  const { status, body } = await api.get(`/api/v1/deployments/comparison?${query}`);
  expect(status).toBe(200);
  return body as unknown as DeploymentComparison;
}

describe('deploy comparison', () => {
  it("compares the previous version's 30 minutes before the deploy with the new one's after", async () => {
    const body = await comparison(`service=${BAD}&version=2.0`);
    const after = { from: FIRST_NEW, to: FIRST_NEW + 30 * MINUTE };
    const before = { from: FIRST_NEW - 30 * MINUTE, to: FIRST_NEW };
    expect(body).toMatchObject({
      service: BAD,
      version: '2.0',
      previousVersion: '1.0',
      at: iso(FIRST_NEW),
      verdict: 'worse',
    });
    for (const [side, version, range] of [
      [body.before, '1.0', before],
      [body.after, '2.0', after],
    ] as const) {
      const expected = truth(BAD, version, range.from, range.to);
      expect(side).toMatchObject({ version, from: iso(range.from), to: iso(range.to) });
      expect(side?.requests).toBe(expected.requests);
      expect(side?.failed).toBe(expected.failed);
      expect(side?.requestsPerSecond).toBeCloseTo(expected.requests / 1800, 9);
      expect(side?.errorRate).toBeCloseTo(expected.failed / expected.requests, 9);
      // Latency buckets are 2% wide: the weighted p95 is read within one.
      expect(Math.abs((side?.latencyMs.p95 ?? 0) / expected.p95 - 1)).toBeLessThan(0.02);
    }
    expect(body.evidence.join(' ')).toMatch(/^error rate 9\.\d+% after vs 0\.2\d+% before/);
    const declined = truth(BAD, '2.0', after.from, after.to).failed;
    expect(body.newErrorPatterns).toEqual([
      {
        pattern: 'payment declined for order <id>',
        example: expect.stringMatching(/^payment declined for order \d+$/) as string,
        count: declined,
      },
    ]);
  });

  it('finds the same deploy when told its time, and judges a 3× slower version worse by p95', async () => {
    const told = await comparison(`service=${SLOW}&version=2.0&at=${iso(FIRST_NEW)}`);
    expect(told.at).toBe(iso(FIRST_NEW));
    expect(await comparison(`service=${SLOW}&version=2.0`)).toEqual(told);
    expect(told.verdict).toBe('worse');
    expect(told.evidence).toHaveLength(1);
    expect(told.evidence[0]).toMatch(/^p95 [\d.]+ ms after vs [\d.]+ ms before \(2\.\d\d×\)/);
    expect(told.newErrorPatterns).toEqual([]);
  });

  it('judges a 5% slower version with the same errors not worse', async () => {
    const body = await comparison(`service=${NEUTRAL}&version=2.0`);
    expect(body.verdict).toBe('not-worse');
    expect(body.newErrorPatterns).toEqual([]);
    const expected = truth(NEUTRAL, '2.0', FIRST_NEW, FIRST_NEW + 30 * MINUTE);
    expect(body.after?.requests).toBe(expected.requests);
  });

  it("compares a replaced version up to the next one's first span, without the next one's errors", async () => {
    const body = await comparison(`service=${REPLACED}&version=2.0`);
    const next = FIRST_NEW + 10 * MINUTE;
    expect(body).toMatchObject({
      previousVersion: '1.0',
      verdict: 'not-worse',
      newErrorPatterns: [],
    });
    expect(body.after).toMatchObject({ from: iso(FIRST_NEW), to: iso(next) });
    expect(body.before).toMatchObject({ from: iso(FIRST_NEW - 10 * MINUTE), to: iso(FIRST_NEW) });
    expect(body.after?.requests).toBe(truth(REPLACED, '2.0', FIRST_NEW, next).requests);
    expect((await comparison(`service=${REPLACED}&version=3.0`)).verdict).toBe('worse');
  });

  it('has no previous version to compare the first one with', async () => {
    const body = await comparison(`service=${BAD}&version=1.0`);
    expect(body).toMatchObject({
      at: iso(at(0)),
      previousVersion: null,
      before: null,
      verdict: 'no-previous',
    });
  });

  it('answers 404 for a version the service never ran, 400 naming a bad parameter', async () => {
    const unknown = await api.get(`/api/v1/deployments/comparison?service=${BAD}&version=9.9`);
    expect(unknown.status).toBe(404);
    expect((unknown.body.error as { message: string }).message).toContain('"9.9"');
    const noVersion = await api.get(`/api/v1/deployments/comparison?service=${BAD}`);
    expect(noVersion.status).toBe(400);
    expect((noVersion.body.error as { message: string }).message).toMatch(/^parameter "version"/);
    const badAt = await api.get(
      `/api/v1/deployments/comparison?service=${BAD}&version=2.0&at=yesterday`,
    );
    expect(badAt.status).toBe(400);
    expect((badAt.body.error as { message: string }).message).toMatch(/^parameter "at"/);
  });
});

describe('faulty-deployment rule', () => {
  const rules = loadRules(join(repoRoot, 'config', 'rules.yaml')).filter(
    (rule) => rule.kind === 'faulty_deployment',
  );
  const engine = clockedEngine(rules);
  const ours = (service: string) => (t: { service: string | null }) => t.service === service;

  it('fires two minutes after the deploy for the failing and the slow version, never for the neutral one', async () => {
    expect(rules).toHaveLength(1);
    // One minute in, it is too early to tell.
    const early = await engine.evaluateAt(D + MINUTE);
    expect(early.filter((t) => [BAD, SLOW, NEUTRAL, REPLACED].includes(t.service ?? ''))).toEqual(
      [],
    );
    const fired = await engine.evaluateAt(D + 2 * MINUTE);
    expect(fired.filter(ours(BAD)).map((t) => [t.from, t.to])).toEqual([['inactive', 'firing']]);
    expect(fired.filter(ours(SLOW)).map((t) => [t.from, t.to])).toEqual([['inactive', 'firing']]);
    expect(fired.filter(ours(NEUTRAL))).toEqual([]);
    expect(fired.filter(ours(REPLACED))).toEqual([]);
    // REPLACED's neutral 2.0 stays quiet until 3.0 replaces it, failing, at D + 10 min.
    const replacedFired: string[][] = [];
    for (const minutes of [5, 15, 35]) {
      const later = await engine.evaluateAt(D + minutes * MINUTE);
      expect(later.filter(ours(NEUTRAL))).toEqual([]);
      replacedFired.push(later.filter(ours(REPLACED)).map((t) => `${t.from}→${t.to}`));
    }
    expect(replacedFired).toEqual([[], ['inactive→firing'], []]);
    const { body } = await api.get(`/api/v1/alerts?service=${BAD}`);
    const [alert] = body.alerts as {
      summary: string;
      labels: Record<string, string>;
      annotations: Record<string, string>;
    }[];
    expect(alert?.labels.version).toBe('2.0');
    expect(alert?.summary).toContain('version 2.0');
    expect(alert?.summary).toContain('error rate');
    expect(alert?.annotations.comparison).toBe(`/services/${BAD}?deploy=2.0`);
  });
});

/**
 * A faulty-deployment alert takes the path every kind takes (observe → next state → one commit
 * → adopt → notify): while the alert index refuses writes nothing moves, then it fires once,
 * a restarted evaluator picks it up instead of starting it over, and Alertmanager holds one.
 */
describe('a faulty-deployment alert, through refused writes and a restart', () => {
  const rule = `faulty-blocked-${run}`;
  const rules = parseRules({
    rules: [{ name: rule, kind: 'faulty_deployment', severity: 'high', service: BAD }],
  });
  const clock = { now: D + 2 * MINUTE };
  const engine = () =>
    new AlertEngine(es, new AlertStore(es), rules, {
      intervalMs: 1000,
      queryOffsetMs: 0,
      alertmanager: { url: stack.alertmanager, publicUrl: 'http://127.0.0.1:8080' },
      now: () => clock.now,
      warn: (message) => {
        throw new Error(message);
      },
    });
  // The stack is shared: an engine retires the alerts of rules it does not know.
  const mine = (report: EvaluationReport) => report.transitions.filter((t) => t.rule === rule);
  const block = (on: boolean) =>
    es.indices.putSettings({ index: 'lantern-alerts', settings: { 'index.blocks.write': on } });

  it('moves nothing while refused, then one transition, kept across a restart, one in Alertmanager', async () => {
    const first = engine();
    // The index exists once an earlier test stored an alert; alone, this test creates it.
    await es.indices.create({ index: 'lantern-alerts' }).catch(() => undefined);
    await block(true);
    try {
      await expect(first.evaluateOnce()).rejects.toThrow(/saving alerts failed/);
      await expect(first.evaluateOnce()).rejects.toThrow(/saving alerts failed/);
    } finally {
      await block(false);
    }
    const fired = mine(await first.evaluateOnce());
    expect(fired.map((t) => [t.service, t.from, t.to])).toEqual([[BAD, 'inactive', 'firing']]);
    expect(mine(await first.evaluateOnce())).toEqual([]);

    // A restarted evaluator loads the firing alert instead of starting it over.
    clock.now += 10_000;
    expect(mine(await engine().evaluateOnce())).toEqual([]);
    const { body } = await api.get(`/api/v1/alerts?service=${BAD}`);
    const alert = (body.alerts as { id: string; rule: string; startsAt: string }[]).find(
      (candidate) => candidate.rule === rule,
    );
    expect(alert?.startsAt).toBe(iso(D + 2 * MINUTE));
    const detail = (await api.get(`/api/v1/alerts/${String(alert?.id)}`)).body;
    expect((detail.history as { to: string }[]).map((h) => h.to)).toEqual(['firing']);
    const inAlertmanager = async () =>
      (
        (await (
          await fetch(`${stack.alertmanager}/api/v2/alerts?filter=alertname%3D%22${rule}%22`)
        ).json()) as { labels: Record<string, string> }[]
      ).map((a) => [a.labels.service, a.labels.version]);
    await expect.poll(inAlertmanager, upTo()).toEqual([[BAD, '2.0']]);
  });
});
