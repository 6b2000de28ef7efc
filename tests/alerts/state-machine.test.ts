import { describe, expect, it } from 'vitest';
import { alertId } from '../../src/alerts/alert.ts';
import type { Alert } from '../../src/contracts/alert.ts';
import { parseRules, type AlertRule } from '../../src/alerts/rules.ts';
import { advance, type Observation } from '../../src/alerts/state-machine.ts';

function errorRule(): AlertRule {
  const [parsed] = parseRules({
    rules: [
      {
        name: 'errors',
        kind: 'error_rate',
        threshold: 0.05,
        for: '1m',
        keep_firing_for: '2m',
        severity: 'high',
        annotations: {
          summary: '{{service}}: {{value}} of requests failed (threshold {{threshold}})',
          description: 'now {{value}}',
        },
      },
    ],
  });
  if (!parsed) throw new Error('rule did not parse');
  return parsed;
}
const rule = errorRule();

const labels = { alertname: 'errors', service: 'checkout', severity: 'high' };
const observe = (active: boolean, value = active ? 0.2 : 0.01): Observation => ({
  id: alertId('errors', labels),
  labels,
  service: 'checkout',
  active,
  value,
  exemplarTraceIds: active ? ['a'.repeat(32)] : [],
});

/** Feeds observations one per `stepMs` from t=0; returns every state and the final alert. */
function run(pattern: boolean[], stepMs = 30_000) {
  let alert: Alert | undefined;
  const states: string[] = [];
  pattern.forEach((active, i) => {
    alert = advance(alert, observe(active), rule, i * stepMs).alert;
    states.push(alert?.state ?? 'inactive');
  });
  return { states, alert };
}

describe('alert state machine (fake clock)', () => {
  it('goes pending, then firing once the condition held for `for`', () => {
    expect(run([true, true, true]).states).toEqual(['pending', 'pending', 'firing']);
  });

  it('drops a pending alert whose condition clears', () => {
    expect(run([true, false]).states).toEqual(['pending', 'inactive']);
  });

  it('keeps firing through gaps shorter than keep_firing_for, then resolves', () => {
    const { states, alert } = run([
      true,
      true,
      true,
      false,
      false,
      true,
      false,
      false,
      false,
      false,
      false,
    ]);
    expect(states).toEqual([
      'pending',
      'pending',
      'firing',
      'firing',
      'firing',
      'firing',
      'firing',
      'firing',
      'firing',
      'resolved',
      'resolved',
    ]);
    // Last active at 150 s; 120 s later (270 s) it resolves.
    expect(alert?.endsAt).toBe(new Date(9 * 30_000).toISOString());
    expect(alert?.startsAt).toBe(new Date(0).toISOString());
  });

  it('asks evidence to begin, not to go on: holds while the value is past the threshold', () => {
    // Past the threshold but not beyond chance (a sampled service's window at low traffic).
    const unproven: Observation = { ...observe(false, 0.08), beyondThreshold: true };
    let alert: Alert | undefined;
    const states: string[] = [];
    const steps = [
      observe(true),
      unproven, // pending: no evidence yet, so no alert
      observe(true),
      observe(true),
      observe(true), // firing
      ...Array.from({ length: 10 }, () => unproven), // five minutes, longer than keep_firing_for
      observe(false),
      observe(false),
      observe(false),
      observe(false),
      observe(false),
    ];
    steps.forEach((seen, i) => {
      alert = advance(alert, seen, rule, i * 30_000).alert;
      states.push(alert?.state ?? 'inactive');
    });
    expect(states.slice(0, 5)).toEqual(['pending', 'inactive', 'pending', 'pending', 'firing']);
    expect(states.slice(5, 15)).toEqual(Array.from({ length: 10 }, () => 'firing'));
    // keep_firing_for (2 m) counts from the last observation past the threshold (at 7 min).
    expect(states.slice(15)).toEqual(['firing', 'firing', 'firing', 'resolved', 'resolved']);
    expect(alert?.endsAt).toBe(new Date(18 * 30_000).toISOString());
  });

  it('never ends an alert before it started (a replica whose clock is behind resolves it)', () => {
    const { alert: firing } = run([true, true, true]);
    expect(firing?.state).toBe('firing');
    // The replica that takes over is 5 minutes behind, and keep_firing_for has passed by its clock.
    const lastActive = Date.parse(firing?.lastActiveAt ?? '');
    const startedAt = Date.parse(firing?.startsAt ?? '');
    const behind = {
      ...firing,
      startsAt: new Date(startedAt + 10 * 60_000).toISOString(),
    } as Alert;
    const resolved = advance(behind, observe(false), rule, lastActive + 3 * 60_000).alert;
    expect(resolved?.state).toBe('resolved');
    expect(resolved?.endsAt).toBe(behind.startsAt);
  });

  it('starts a new episode, same id, after resolving', () => {
    const first = run([true, true, true, false, false, false, false, false]).alert;
    expect(first?.state).toBe('resolved');
    const next = advance(first, observe(true), rule, 10 * 60_000);
    expect(next.alert?.state).toBe('pending');
    expect(next.alert?.id).toBe(first?.id);
    expect(next.alert?.startsAt).toBe(new Date(10 * 60_000).toISOString());
    expect(next.transition).toMatchObject({ from: 'inactive', to: 'pending' });
  });

  it('renders rates as percentages and keeps exemplars', () => {
    const { alert } = run([true, true, true]);
    expect(alert?.summary).toBe('checkout: 20% of requests failed (threshold 5%)');
    expect(alert?.exemplarTraceIds).toEqual(['a'.repeat(32)]);
    expect(alert?.severityRank).toBe(3);
  });

  it('annotations follow the current value while active, and keep it when quiet', () => {
    let alert = advance(undefined, observe(true, 0.217), rule, 0).alert;
    alert = advance(alert, observe(true, 0.31), rule, 60_000).alert; // firing now
    expect([alert?.summary, alert?.annotations.description]).toEqual([
      'checkout: 31% of requests failed (threshold 5%)',
      'now 31%',
    ]);
    alert = advance(alert, observe(false), rule, 90_000).alert; // kept by keep_firing_for
    expect([alert?.state, alert?.annotations.description]).toEqual(['firing', 'now 31%']);
  });

  it('deduplicates by rule and labels, whatever their order', () => {
    expect(alertId('errors', { service: 'a', severity: 'high' })).toBe(
      alertId('errors', { severity: 'high', service: 'a' }),
    );
    expect(alertId('errors', { service: 'a' })).not.toBe(alertId('errors', { service: 'b' }));
  });

  it('records each transition once', () => {
    const transitions: string[] = [];
    let alert: Alert | undefined;
    [true, true, true, true, false, false, false, false, false, false].forEach((active, i) => {
      const step = advance(alert, observe(active), rule, i * 30_000);
      alert = step.alert;
      if (step.transition) transitions.push(`${step.transition.from}→${step.transition.to}`);
    });
    expect(transitions).toEqual(['inactive→pending', 'pending→firing', 'firing→resolved']);
  });
});
