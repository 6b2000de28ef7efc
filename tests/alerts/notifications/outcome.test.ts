import { describe, expect, it } from 'vitest';
import { outcomeEntry, outcomeRecorder } from '../../../src/alerts/notifications/outcome.ts';
import type { NotificationOutcome } from '../../../src/alerts/notifications/outcome.ts';

const at = Date.parse('2026-12-07T10:00:00Z');
const outcome = (change: Partial<NotificationOutcome> = {}): NotificationOutcome => ({
  incidentId: 'i1',
  receiver: 'chat',
  status: 'firing',
  step: 'critical.2',
  error: undefined,
  at,
  ...change,
});

describe('notification outcomes', () => {
  it('read on the timeline as notified, or failed with the reason', () => {
    expect(outcomeEntry(outcome())).toEqual({
      incidentId: 'i1',
      kind: 'notified',
      at: '2026-12-07T10:00:00.000Z',
      text: 'notified chat of the incident (step critical.2)',
      details: { receiver: 'chat', status: 'firing', step: 'critical.2' },
    });
    expect(outcomeEntry(outcome({ status: 'resolved', error: 'answered 503' }))).toMatchObject({
      kind: 'notify-failed',
      text: 'failed to notify chat of the resolve (step critical.2): answered 503; Alertmanager retries',
      details: { error: 'answered 503' },
    });
    expect(outcomeEntry(outcome({ incidentId: undefined }))).toBeUndefined();
  });

  it('record a failure once until it changes or a delivery succeeds', async () => {
    const recorded: NotificationOutcome[] = [];
    const record = outcomeRecorder((o) => {
      recorded.push(o);
      return Promise.resolve();
    });
    for (const o of [
      outcome({ error: 'answered 503' }),
      outcome({ error: 'answered 503' }),
      outcome({ error: 'unreachable (ECONNREFUSED)' }),
      outcome(),
      outcome({ error: 'answered 503' }),
    ])
      await record(o);
    expect(recorded.map((o) => o.error)).toEqual([
      'answered 503',
      'unreachable (ECONNREFUSED)',
      undefined,
      'answered 503',
    ]);
  });
});
