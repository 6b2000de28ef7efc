import { describe, expect, it } from 'vitest';
import { parseRulesFile } from '../../src/alerts/rules.ts';
import { burnRate, type BurnRateRule } from '../../src/alerts/slo.ts';
import type { RequestStats } from '../../src/contracts/request-stats.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const checkout = { name: 'checkout', service: 'shop', kind: 'availability', objective: 0.999 };

describe('SLOs in the rules file', () => {
  it('make the three burn-rate alerts of the SRE Workbook, named after the SLO', () => {
    const { rules, slos } = parseRulesFile({ rules: [], slos: [checkout] });
    expect(slos[0]?.period).toBe(30 * 24 * HOUR);
    const burns = rules as BurnRateRule[];
    expect(
      burns.map((r) => [r.name, r.severity, r.burn_rate, r.long_window, r.short_window]),
    ).toEqual([
      ['checkout-burn-critical', 'critical', 14.4, HOUR, 5 * MINUTE],
      ['checkout-burn-high', 'high', 6, 6 * HOUR, 30 * MINUTE],
      ['checkout-burn-medium', 'medium', 1, 72 * HOUR, 6 * HOUR],
    ]);
    expect(burns[0]).toMatchObject({
      kind: 'slo_burn',
      service: 'shop',
      window: HOUR,
      for: 0,
      labels: { slo: 'checkout' },
    });
  });

  it('take their own alerts, beside ordinary rules', () => {
    const { rules } = parseRulesFile({
      rules: [{ name: 'errors', kind: 'error_rate', threshold: 0.05, severity: 'high' }],
      slos: [
        {
          ...checkout,
          kind: 'latency',
          threshold_ms: 300,
          period: '7d',
          alerts: [{ severity: 'high', burn_rate: 10, long_window: '30m', short_window: '2m' }],
        },
      ],
    });
    expect(rules.map((r) => r.name)).toEqual(['errors', 'checkout-burn-high']);
    expect(rules[1]).toMatchObject({ window: 30 * MINUTE, short_window: 2 * MINUTE });
  });

  it('name the SLO and the field in every validation error', () => {
    const attempt = () =>
      parseRulesFile({
        rules: [],
        slos: [
          { ...checkout, objective: 1.5 },
          { name: 'slow', kind: 'latency', objective: 0.99 },
          { ...checkout, name: 'avail', threshold_ms: 100, perod: '30d' },
          {
            ...checkout,
            name: 'windows',
            alerts: [{ severity: 'high', burn_rate: 6, long_window: '5m', short_window: '1h' }],
          },
        ],
      });
    expect(attempt).toThrow(/SLO "checkout" \(slos\[0\]\), field "objective"/);
    expect(attempt).toThrow(
      /SLO "slow" \(slos\[1\]\), field "threshold_ms": a latency SLO needs one/,
    );
    expect(attempt).toThrow(/SLO "avail" \(slos\[2\]\), field "\(SLO\)".*perod/);
    expect(attempt).toThrow(
      /SLO "windows" \(slos\[3\]\), field "alerts.0.short_window": short_window must be shorter/,
    );
  });

  it('refuse an alert name that another rule already has', () => {
    expect(() =>
      parseRulesFile({
        rules: [
          { name: 'checkout-burn-high', kind: 'error_rate', threshold: 0.1, severity: 'low' },
        ],
        slos: [checkout],
      }),
    ).toThrow(/SLO "checkout": its alert rule "checkout-burn-high" has the name of another rule/);
  });
});

describe('the burn rate', () => {
  const stats = (requests: number, errors: number, slow = 0): RequestStats => ({
    key: 'shop',
    spans: requests,
    requests,
    errors,
    slow,
    weightSquares: requests,
    errorWeightSquares: errors,
    since: null,
    latency: [],
  });
  const slo = parseRulesFile({ rules: [], slos: [checkout] }).slos[0];

  it('is the bad share over the budget: 2% failed against 0.1% allowed burns 20×', () => {
    if (!slo) throw new Error('no SLO');
    expect(burnRate(slo, stats(1000, 20))).toBeCloseTo(20, 9);
    expect(burnRate(slo, stats(1000, 1))).toBeCloseTo(1, 9);
    expect(burnRate(slo, stats(0, 0))).toBe(0);
    expect(burnRate(slo, undefined)).toBe(0);
  });

  it('counts slow requests, not failed ones, for a latency SLO', () => {
    const latency = parseRulesFile({
      rules: [],
      slos: [{ ...checkout, kind: 'latency', threshold_ms: 300, objective: 0.95 }],
    }).slos[0];
    if (!latency) throw new Error('no SLO');
    expect(burnRate(latency, stats(1000, 500, 100))).toBeCloseTo(2, 9);
  });
});
