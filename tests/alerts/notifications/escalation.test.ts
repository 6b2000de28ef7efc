import { describe, expect, it } from 'vitest';
import { escalationPlan } from '../../../src/alerts/notifications/escalation.ts';
import { parseNotificationPolicy } from '../../../src/alerts/notifications/policy.ts';

const MIN = 60_000;
const policy = parseNotificationPolicy(
  {
    receivers: [
      { name: 'chat', slack: { url: 'https://chat.example/x' } },
      { name: 'hook', webhook: { url: 'https://hook.example/x' } },
    ],
    escalation: {
      critical: [
        { after: '0m', receivers: ['chat'] },
        { after: '10m', receivers: ['hook'] },
        { after: '30m', receivers: ['hook', 'chat'] },
      ],
      high: [{ after: '2m', receivers: ['chat'] }],
    },
  },
  'n',
  {},
);
const opened = Date.parse('2026-12-07T10:00:00Z');
const critical = { id: 'i1', severity: 'critical', openedAt: opened } as const;

describe('escalation plan', () => {
  it('reaches each step once its delay has passed, unacknowledged', () => {
    expect(escalationPlan(critical, policy, opened)).toEqual({
      due: ['critical.1'],
      nextAt: opened + 10 * MIN,
    });
    expect(escalationPlan(critical, policy, opened + 10 * MIN - 1).due).toEqual(['critical.1']);
    expect(escalationPlan(critical, policy, opened + 10 * MIN)).toEqual({
      due: ['critical.1', 'critical.2'],
      nextAt: opened + 30 * MIN,
    });
    expect(escalationPlan(critical, policy, opened + 31 * MIN)).toEqual({
      due: ['critical.1', 'critical.2', 'critical.3'],
      nextAt: undefined,
    });
  });

  it('stops at acknowledgement, keeping the steps already reached', () => {
    const acknowledged = { ...critical, acknowledgedAt: opened + 12 * MIN };
    expect(escalationPlan(acknowledged, policy, opened + 60 * MIN)).toEqual({
      due: ['critical.1', 'critical.2'],
      nextAt: undefined,
    });
  });

  it('keeps the steps reached before a resolve, so they hear of it', () => {
    const resolved = { ...critical, resolvedAt: opened + 5 * MIN };
    expect(escalationPlan(resolved, policy, opened + 60 * MIN)).toEqual({
      due: ['critical.1'],
      nextAt: undefined,
    });
  });

  it('follows the incident severity, and notifies no one where it has no steps', () => {
    const high = { ...critical, severity: 'high' } as const;
    expect(escalationPlan(high, policy, opened + MIN)).toEqual({
      due: [],
      nextAt: opened + 2 * MIN,
    });
    expect(escalationPlan({ ...critical, severity: 'medium' }, policy, opened + 60 * MIN)).toEqual({
      due: [],
      nextAt: undefined,
    });
  });

  it('reaches no step for an incident acknowledged before the first delay', () => {
    const high = { ...critical, severity: 'high', acknowledgedAt: opened + MIN } as const;
    expect(escalationPlan(high, policy, opened + 60 * MIN)).toEqual({ due: [], nextAt: undefined });
  });
});
