import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IncidentNotifier } from '../../../src/alerts/notifications/incident-notifier.ts';
import { parseNotificationPolicy } from '../../../src/alerts/notifications/policy.ts';
import type { Alert } from '../../../src/contracts/alert.ts';

// The real Alertmanager is tests/integration/notifications.test.ts; this server records the
// order of the calls, and keeps one silence of incident "i1".
const calls: string[] = [];
const server = createServer((request, response) => {
  calls.push(`${request.method ?? ''} ${request.url ?? ''}`);
  response.setHeader('content-type', 'application/json');
  if (request.method === 'GET')
    response.end(
      JSON.stringify([
        {
          id: 's1',
          matchers: [{ name: 'incident', value: 'i1', isRegex: false, isEqual: true }],
          status: { state: 'active' },
        },
        {
          id: 's2',
          matchers: [{ name: 'incident', value: 'other', isRegex: false, isEqual: true }],
          status: { state: 'active' },
        },
      ]),
    );
  else response.end('');
});
let url = '';
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});
afterAll(() => {
  server.close();
});

const policy = parseNotificationPolicy(
  {
    receivers: [{ name: 'hook', webhook: { url: 'http://127.0.0.1:1/' } }],
    escalation: { high: [{ after: '0s', receivers: ['hook'] }] },
  },
  'n',
  {},
);
const alert = {
  id: 'a1',
  labels: { alertname: 'r', severity: 'high' },
  annotations: {},
  summary: 's',
  exemplarTraceIds: [],
  startsAt: '2026-12-07T10:00:00Z',
  endsAt: null,
} as unknown as Alert;
const opened = Date.parse('2026-12-07T10:00:00Z');

describe('pushing an incident’s alerts', () => {
  it('lifts an acknowledged incident’s silence before pushing its resolve, once', async () => {
    const notifier = new IncidentNotifier({ url, publicUrl: 'http://x' }, policy);
    const resolved = {
      id: 'i1',
      severity: 'high',
      openedAt: opened,
      acknowledgedAt: opened + 1,
      resolvedAt: opened + 2,
    } as const;
    await notifier.push([alert], () => resolved, opened + 3);
    await notifier.push([alert], () => resolved, opened + 4);
    expect(calls).toEqual([
      'GET /api/v2/silences',
      'DELETE /api/v2/silence/s1',
      'POST /api/v2/alerts',
      'POST /api/v2/alerts',
    ]);
  });

  it('leaves the silence of an incident acknowledged and not resolved', async () => {
    calls.length = 0;
    const notifier = new IncidentNotifier({ url, publicUrl: 'http://x' }, policy);
    const acknowledged = {
      id: 'i1',
      severity: 'high',
      openedAt: opened,
      acknowledgedAt: opened + 1,
    } as const;
    await notifier.push([alert], () => acknowledged, opened + 3);
    expect(calls).toEqual(['POST /api/v2/alerts']);
  });
});
