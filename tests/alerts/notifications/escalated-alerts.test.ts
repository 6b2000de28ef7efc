import { describe, expect, it } from 'vitest';
import type { Alert } from '../../../src/contracts/alert.ts';
import { escalatedAlerts } from '../../../src/alerts/notifications/escalated-alerts.ts';
import type { EscalatedIncident } from '../../../src/alerts/notifications/escalation.ts';
import { parseNotificationPolicy } from '../../../src/alerts/notifications/policy.ts';

const MIN = 60_000;
const opened = Date.parse('2026-12-07T10:00:00Z');
const policy = parseNotificationPolicy(
  {
    receivers: [{ name: 'hook', webhook: { url: 'http://127.0.0.1:1/' } }],
    escalation: {
      high: [
        { after: '0s', receivers: ['hook'] },
        { after: '5m', receivers: ['hook'] },
      ],
    },
  },
  'n',
  {},
);

const alert = (id: string, endsAt: string | null = null): Alert =>
  ({
    id,
    labels: { alertname: `rule-${id}`, service: 'checkout', severity: 'high' },
    endsAt,
  }) as unknown as Alert;

const incident: EscalatedIncident = { id: 'inc1', severity: 'high', openedAt: opened };
const labelsOf = (pushed: ReturnType<typeof escalatedAlerts>) => pushed.map((p) => p.labels);

describe('alerts as Alertmanager is sent them', () => {
  it('sends an alert once per due step, labelled with its incident and the step', () => {
    const pushed = escalatedAlerts([alert('a')], () => incident, policy, opened + 6 * MIN);
    expect(labelsOf(pushed)).toEqual([
      {
        alertname: 'rule-a',
        service: 'checkout',
        severity: 'high',
        incident: 'inc1',
        escalation_step: 'high.1',
      },
      {
        alertname: 'rule-a',
        service: 'checkout',
        severity: 'high',
        incident: 'inc1',
        escalation_step: 'high.2',
      },
    ]);
    expect(pushed.map((p) => p.endsAt)).toEqual([null, null]);
  });

  it('sends an alert without an incident as it is, and one with no step due on the quiet route', () => {
    const quiet = { ...incident, severity: 'low' } as const;
    const pushed = escalatedAlerts(
      [alert('a'), alert('b')],
      (a) => (a.id === 'b' ? quiet : undefined),
      policy,
      opened,
    );
    expect(labelsOf(pushed)).toEqual([
      { alertname: 'rule-a', service: 'checkout', severity: 'high' },
      { alertname: 'rule-b', service: 'checkout', severity: 'high', incident: 'inc1' },
    ]);
  });

  it('ends every copy when the alert, or its incident, resolves', () => {
    const resolvedAt = opened + 7 * MIN;
    const byHand = escalatedAlerts(
      [alert('a')],
      () => ({ ...incident, resolvedAt }),
      policy,
      opened + 9 * MIN,
    );
    expect(byHand.map((p) => p.endsAt)).toEqual([
      new Date(resolvedAt).toISOString(),
      new Date(resolvedAt).toISOString(),
    ]);
    const ended = escalatedAlerts(
      [alert('a', '2026-12-07T10:01:00.000Z')],
      () => incident,
      policy,
      opened + MIN,
    );
    expect(ended).toEqual([expect.objectContaining({ endsAt: '2026-12-07T10:01:00.000Z' })]);
  });
});
