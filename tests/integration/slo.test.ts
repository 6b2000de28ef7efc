import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../../src/storage/alert-store.ts';
import { AlertEngine } from '../../src/alerts/engine.ts';
import { parseRulesFile } from '../../src/alerts/rules.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { es } from '../../tools/harness/stores.ts';
import { bulkLoad, spanDocument, type SeedSpan } from '../support/seed.ts';

/**
 * SLO burn rates against the real Elasticsearch, with truth computed by hand: seventy minutes
 * of one request a second (each weighing 2), whose last ten minutes all fail (availability),
 * and a service where every tenth request is slow (latency).
 */
const run = Date.now().toString(36);
const SHOP = `slo-shop-${run}`;
const SEARCH = `slo-search-${run}`;
const MINUTE = 60_000;
const T = Math.floor(Date.now() / MINUTE) * MINUTE;
const START = T - 70 * MINUTE;

const spans: SeedSpan[] = [];
for (let i = 0; i < 70 * 60; i += 1) {
  // Half a second off the minute, so no request sits on a window's edge.
  const at = START + i * 1000 + 500;
  spans.push({
    service: SHOP,
    route: '/pay',
    at,
    durationMs: 20,
    failed: at >= T - 10 * MINUTE,
    weight: 2,
  });
  spans.push({
    service: SEARCH,
    route: '/q',
    at,
    durationMs: i % 10 === 0 ? 900 : 50,
    failed: false,
    weight: 1,
  });
}

const file = parseRulesFile({
  rules: [],
  slos: [
    { name: `shop-avail-${run}`, service: SHOP, kind: 'availability', objective: 0.99 },
    {
      name: `search-latency-${run}`,
      service: SEARCH,
      kind: 'latency',
      threshold_ms: 300,
      objective: 0.95,
    },
  ],
});

const clock = { now: T };
const engine = new AlertEngine(es, new AlertStore(es), file.rules, {
  intervalMs: 1000,
  queryOffsetMs: 0,
  now: () => clock.now,
  warn: (message) => {
    throw new Error(message);
  },
});

let api: ApiUnderTest;
beforeAll(async () => {
  await bulkLoad(
    `lantern-spans-seed-slo-${run.replace(/[^a-z0-9]/g, '')}`,
    spans.map(spanDocument),
  );
  api = await startApi(es, { slos: file.slos, now: () => clock.now });
}, 120_000);
afterAll(() => api.close());

const ours = (t: { rule: string }) => t.rule.includes(run);

describe('SLO burn-rate alerts', () => {
  it('fire at the severities whose two windows both burn fast enough, and resolve once the short one is clean', async () => {
    // Shop, budget 1%: 1h burns (1,200 of 7,200 failed) / 1% = 16.7 ≥ 14.4 and 5m burns 100:
    // critical; 6h (1,200 of 8,400) 14.3 and 30m 33.3 ≥ 6: high; 3d and 6h ≥ 1: medium.
    // Search, budget 5%: 10% slow everywhere burns 2: medium only.
    const report = await engine.evaluateOnce();
    expect(
      report.transitions
        .filter(ours)
        .map((t) => [t.service, t.rule.replace(`-${run}`, ''), t.to])
        .sort(),
    ).toEqual([
      [SEARCH, 'search-latency-burn-medium', 'firing'],
      [SHOP, 'shop-avail-burn-critical', 'firing'],
      [SHOP, 'shop-avail-burn-high', 'firing'],
      [SHOP, 'shop-avail-burn-medium', 'firing'],
    ]);
    const critical = (await new AlertStore(es).active()).find(
      (alert) => alert.rule === `shop-avail-${run}-burn-critical`,
    );
    expect(critical?.value).toBeCloseTo(1200 / 7200 / 0.01, 6);
    expect(critical?.labels).toMatchObject({ slo: `shop-avail-${run}`, severity: 'critical' });
    expect(critical?.summary).toBe(
      `${SHOP}: SLO shop-avail-${run} (99% availability) burns its error budget 16.7× as fast as the period allows (threshold 14.4×)`,
    );
    expect(critical?.exemplarTraceIds.length).toBeGreaterThan(0);

    // Twenty minutes later nothing new came: the 5m window has no requests, so critical
    // resolves; the 30m and 6h windows still hold the failures.
    clock.now = T + 20 * MINUTE;
    const later = await engine.evaluateOnce();
    expect(
      later.transitions.filter(ours).map((t) => [t.rule.replace(`-${run}`, ''), t.to]),
    ).toEqual([['shop-avail-burn-critical', 'resolved']]);
  });

  it('GET /api/v1/slos: the SLI, the budget left and each window’s burn rate, as computed by hand', async () => {
    clock.now = T;
    const { status, body } = await api.get('/api/v1/slos');
    expect(status).toBe(200);
    const statuses = body.slos as Record<string, unknown>[];
    const shop = statuses.find((s) => s.slo === `shop-avail-${run}`);
    expect(shop).toMatchObject({
      service: SHOP,
      kind: 'availability',
      objective: 0.99,
      requests: 8400,
      badRequests: 1200,
    });
    expect(shop?.sli).toBeCloseTo(1 - 1200 / 8400, 9);
    expect(shop?.errorBudget).toBeCloseTo(0.01, 9);
    expect(shop?.budgetRemaining).toBeCloseTo(1 - 1200 / 8400 / 0.01, 6);
    const burns = Object.fromEntries(
      (shop?.burnRates as { windowMs: number; burnRate: number }[]).map((b) => [
        b.windowMs / MINUTE,
        Number(b.burnRate.toFixed(4)),
      ]),
    );
    expect(burns).toEqual({
      5: 100,
      30: Number((600 / 1800 / 0.01).toFixed(4)),
      60: Number((600 / 3600 / 0.01).toFixed(4)),
      360: Number((1200 / 8400 / 0.01).toFixed(4)),
      4320: Number((1200 / 8400 / 0.01).toFixed(4)),
    });
    const alerts = shop?.alerts as { severity: string; active: boolean }[];
    expect(alerts.map((a) => [a.severity, a.active])).toEqual([
      ['critical', false], // resolved by the evaluation twenty minutes on
      ['high', true],
      ['medium', true],
    ]);
    const search = statuses.find((s) => s.slo === `search-latency-${run}`);
    expect(search).toMatchObject({ service: SEARCH, requests: 4200, badRequests: 420 });
    expect(search?.budgetRemaining).toBeCloseTo(1 - 0.1 / 0.05, 9);
  });
});
