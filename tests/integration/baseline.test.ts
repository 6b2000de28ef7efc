import { beforeAll, describe, expect, it } from 'vitest';
import { AlertStore } from '../../src/storage/alert-store.ts';
import { parseRules } from '../../src/alerts/rules.ts';
import { clockedEngine } from '../support/clocked-engine.ts';
import { es } from '../../tools/harness/stores.ts';
import { bulkLoad, spanDocument, type SeedSpan } from '../support/seed.ts';

/**
 * Baseline rules against the real Elasticsearch: seven past days of the same hour, whose error
 * rates and p95 make each service's baseline, then now. Truth by hand: error rates of 1, 1.5,
 * 0.5, 1, 2, 1, 1.5% have median 1% and MAD 0.5% (0.74% as a sigma).
 */
const run = Date.now().toString(36);
const RISING = `baseline-rising-${run}`; // 8% errors now
const NOISY = `baseline-noisy-${run}`; // 2.5% now: above its baseline, below min_change
const NEW = `baseline-new-${run}`; // 50% now, two days of history only
const SLOW = `baseline-slow-${run}`; // p95 ~100 ms on past days, 300 ms now
const DEPLOY = `baseline-deploy-${run}`; // p95 5% slower now: a deploy, not an incident
const CHANCE = `baseline-chance-${run}`; // never fails; now one failure among 20 requests (5%)
const MINUTE = 60_000;
const DAY = 86_400_000;
const T = Math.floor(Date.now() / MINUTE) * MINUTE;
const PAST_RATES = [0.01, 0.015, 0.005, 0.01, 0.02, 0.01, 0.015];

const spans: SeedSpan[] = [];
/** One request every 3 s over [from, to): every `1 / rate`-th fails; durations as given. */
function traffic(
  service: string,
  from: number,
  to: number,
  rate: number,
  durationMs: (i: number) => number,
): void {
  const every = rate > 0 ? Math.round(1 / rate) : Infinity;
  for (let i = 0, at = from + 1500; at < to; i += 1, at += 3000) {
    spans.push({
      service,
      route: '/',
      at,
      durationMs: durationMs(i),
      failed: i % every === 0,
      weight: 1,
    });
  }
}
const steady = (ms: number) => (i: number) => ms * (0.5 + (i % 20) / 20);
PAST_RATES.forEach((rate, index) => {
  const day = T - (index + 1) * DAY;
  traffic(RISING, day - 20 * MINUTE, day + 25 * MINUTE, rate, steady(50));
  traffic(NOISY, day - 20 * MINUTE, day + 25 * MINUTE, rate, steady(50));
  if (index < 2) traffic(NEW, day - 20 * MINUTE, day + 25 * MINUTE, rate, steady(50));
  traffic(SLOW, day - 20 * MINUTE, day + 25 * MINUTE, 0, steady(100 + index));
  traffic(DEPLOY, day - 20 * MINUTE, day + 25 * MINUTE, 0, steady(100 + index));
  for (let at = day - 20 * MINUTE + 1500; at < day + 25 * MINUTE; at += 30_000)
    spans.push({ service: CHANCE, route: '/', at, durationMs: 50, failed: false, weight: 1 });
});
// Now a request every 30 s, the one failure in the middle of the window.
for (let i = 0, at = T - 10 * MINUTE + 1500; at < T + MINUTE; i += 1, at += 30_000)
  spans.push({ service: CHANCE, route: '/', at, durationMs: 50, failed: i === 10, weight: 1 });
traffic(RISING, T - 10 * MINUTE, T + MINUTE, 0.08, steady(50));
traffic(NOISY, T - 10 * MINUTE, T + MINUTE, 0.025, steady(50));
traffic(NEW, T - 10 * MINUTE, T + MINUTE, 0.5, steady(50));
traffic(SLOW, T - 10 * MINUTE, T + MINUTE, 0, steady(300));
traffic(DEPLOY, T - 10 * MINUTE, T + MINUTE, 0, steady(106));

const rules = parseRules({
  rules: [RISING, NOISY, NEW, CHANCE]
    .map((service) => ({
      name: `errors-baseline-${service}`,
      kind: 'baseline',
      metric: 'error_rate',
      service,
      min_change: 0.02,
      for: '1m',
      severity: 'medium',
      annotations: {
        summary: '{{service}}: {{value}} of requests failed, against {{baseline}} ({{deviation}})',
      },
    }))
    .concat(
      [SLOW, DEPLOY].map((service) => ({
        name: `p95-baseline-${service}`,
        kind: 'baseline',
        metric: 'p95',
        service,
        min_change: 50,
        for: '1m',
        severity: 'medium',
        annotations: { summary: '{{service}}: p95 {{value}} ms, against {{baseline}}' },
      })),
    ),
});
const engine = clockedEngine(rules);
const evaluateAt = async (at: number) =>
  (await engine.evaluateAt(at)).map((t) => [t.service, t.from, t.to]);

beforeAll(async () => {
  await bulkLoad(
    `lantern-spans-seed-baseline-${run.replace(/[^a-z0-9]/g, '')}`,
    spans.map(spanDocument),
  );
}, 180_000);

describe('baseline rules', () => {
  it('fire on a rise well above the same window of past days, not on noise, chance, a deploy or no history', async () => {
    expect((await evaluateAt(T)).sort()).toEqual(
      [
        [RISING, 'inactive', 'pending'],
        [SLOW, 'inactive', 'pending'],
      ].sort(),
    );
    expect((await evaluateAt(T + MINUTE)).sort()).toEqual(
      [
        [RISING, 'pending', 'firing'],
        [SLOW, 'pending', 'firing'],
      ].sort(),
    );
    const active = (await new AlertStore(es).active()).filter((a) => a.rule.endsWith(run));
    const rising = active.find((a) => a.service === RISING);
    expect(rising?.annotations.baseline).toBe('1.00%');
    expect(rising?.annotations.days).toBe('7');
    // Its lower bound (16 failures of 200 requests) is above 1% + 4 sigmas too.
    expect(Number.parseFloat(rising?.annotations.lower_bound ?? '')).toBeGreaterThan(4);
    // 8% now (the window holds 9 of its 10 minutes): about 9.4 sigmas of 0.74% above 1%.
    expect(rising?.value).toBeGreaterThan(0.07);
    expect(Number((rising?.annotations.deviation ?? '').split(' ')[0])).toBeGreaterThan(8);
    expect(rising?.exemplarTraceIds.length).toBeGreaterThan(0);
    const slow = active.find((a) => a.service === SLOW);
    expect(slow?.value).toBeGreaterThan(250);
    expect(slow?.summary).toMatch(
      new RegExp(`^${SLOW}: p95 4\\d\\d(\\.\\d)? ms, against 14\\d\\.\\d ms$`),
    );
  });

  it('resolve once the window is back to normal', async () => {
    expect((await evaluateAt(T + 20 * MINUTE)).sort()).toEqual(
      [
        [RISING, 'firing', 'resolved'],
        [SLOW, 'firing', 'resolved'],
      ].sort(),
    );
  });
});
