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
 * and a service where every tenth request is slow (latency). Both are younger than the 6-hour
 * and 3-day windows, whose burn rates count only the seventy minutes; a third service, seven
 * hours old (a span every 10 s weighing 10) whose last forty minutes fail, fills the 6-hour
 * window but not the 3-day one.
 */
const run = Date.now().toString(36);
const SHOP = `slo-shop-${run}`;
const SEARCH = `slo-search-${run}`;
const OLDER = `slo-older-${run}`;
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
const OLDER_START = T - 7 * 60 * MINUTE;
for (let at = OLDER_START + 500; at < T; at += 10_000) {
  spans.push({
    service: OLDER,
    route: '/pay',
    at,
    durationMs: 20,
    failed: at >= T - 40 * MINUTE,
    weight: 10,
  });
}
/** The part of a window ending at T that a service whose first span is at `since` fills. */
const coverage = (since: number, windowMs: number) => Math.min(1, (T - since) / windowMs);

const file = parseRulesFile({
  rules: [],
  slos: [
    { name: `shop-avail-${run}`, service: SHOP, kind: 'availability', objective: 0.99 },
    { name: `older-avail-${run}`, service: OLDER, kind: 'availability', objective: 0.99 },
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
  it('fire at the severities whose two windows both burn fast enough, for the time each service has been sending, and resolve once the short one is clean', async () => {
    // A long window counts the time before a service existed as spending nothing only up to
    // its short window's length. Shop, budget 1%: 1h burns (1,200 of 7,200 failed) / 1% = 16.7
    // ≥ 14.4 and 5m burns 100: critical. Its 6h window holds 70 minutes, more than the 30m short
    // one: all it sent, 1,200 of 8,400 → 14.3 ≥ 6, and 30m 33.3 (high). Its 3-day window, held
    // to 6 hours: 14.3 × 70/360 = 2.8, and the 6h one the same (medium). Search, budget 5%: 10%
    // slow burns 2, × 70/360 = 0.39: no medium. Older, 7 hours: 1h burns 2,400 of 3,600 → 66.7
    // (critical); 6h (full) 2,400 of 21,600 → 11.1 and 30m 100 (high); 3d, older than the 6h
    // short window: 2,400 of 25,200 → 9.5, and 6h 11.1 (medium).
    const report = await engine.evaluateOnce();
    expect(
      report.transitions
        .filter(ours)
        .map((t) => [t.service, t.rule.replace(`-${run}`, ''), t.to])
        .sort(),
    ).toEqual([
      [OLDER, 'older-avail-burn-critical', 'firing'],
      [OLDER, 'older-avail-burn-high', 'firing'],
      [OLDER, 'older-avail-burn-medium', 'firing'],
      [SHOP, 'shop-avail-burn-critical', 'firing'],
      [SHOP, 'shop-avail-burn-high', 'firing'],
      [SHOP, 'shop-avail-burn-medium', 'firing'],
    ]);
    const active = await new AlertStore(es).active();
    const critical = active.find((alert) => alert.rule === `shop-avail-${run}-burn-critical`);
    expect(critical?.value).toBeCloseTo(1200 / 7200 / 0.01, 6);
    expect(critical?.labels).toMatchObject({ slo: `shop-avail-${run}`, severity: 'critical' });
    expect(critical?.summary).toBe(
      `${SHOP}: SLO shop-avail-${run} (99% availability) burns its error budget 16.7× as fast as the period allows (threshold 14.4×)`,
    );
    expect(critical?.exemplarTraceIds.length).toBeGreaterThan(0);
    const high = active.find((alert) => alert.rule === `older-avail-${run}-burn-high`);
    expect(high?.value).toBeCloseTo(2400 / 21600 / 0.01, 6);
    const medium = active.find((alert) => alert.rule === `shop-avail-${run}-burn-medium`);
    expect(medium?.value).toBeCloseTo((1200 / 8400 / 0.01) * (70 / 360), 3);

    // Twenty minutes later nothing new came: the 5m windows have no requests, so both
    // critical alerts resolve; each service's 30m and 6h windows still hold its failures.
    clock.now = T + 20 * MINUTE;
    const later = await engine.evaluateOnce();
    expect(
      later.transitions
        .filter(ours)
        .map((t) => [t.service, t.rule.replace(`-${run}`, ''), t.to])
        .sort(),
    ).toEqual([
      [OLDER, 'older-avail-burn-critical', 'resolved'],
      [SHOP, 'shop-avail-burn-critical', 'resolved'],
    ]);
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
    // Each scaled by the part of its window the shop has been sending (70 minutes).
    const since = START + 500;
    expect(burns).toEqual({
      5: 100,
      30: Number((600 / 1800 / 0.01).toFixed(4)),
      60: Number((600 / 3600 / 0.01).toFixed(4)),
      360: Number(((1200 / 8400 / 0.01) * coverage(since, 360 * MINUTE)).toFixed(4)),
      4320: Number(((1200 / 8400 / 0.01) * coverage(since, 4320 * MINUTE)).toFixed(4)),
    });
    const alerts = shop?.alerts as { severity: string; active: boolean }[];
    expect(alerts.map((a) => [a.severity, a.active])).toEqual([
      ['critical', false], // resolved by the evaluation twenty minutes on
      ['high', true], // its 30m and 6h windows still hold the failures
      ['medium', true],
    ]);
    const search = statuses.find((s) => s.slo === `search-latency-${run}`);
    expect(search).toMatchObject({ service: SEARCH, requests: 4200, badRequests: 420 });
    expect(search?.budgetRemaining).toBeCloseTo(1 - 0.1 / 0.05, 9);
  });
});
