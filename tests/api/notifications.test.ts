import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NotificationOutcome } from '../../src/alerts/notifications/outcome.ts';
import { outcomeRecorder } from '../../src/alerts/notifications/outcome.ts';
import { parseNotificationPolicy } from '../../src/alerts/notifications/policy.ts';
import { createElasticsearchClient } from '../../src/storage/client.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';

// The delivery endpoint needs no Elasticsearch: nothing listens here.
const unreachable = createElasticsearchClient({
  url: 'http://127.0.0.1:9',
  requestTimeoutMs: 1000,
});

/** A webhook receiver that records what it is posted, answering with `status`. */
const posted: { url: string | undefined; body: unknown }[] = [];
let status = 200;
const receiver = createServer((request, response) => {
  let body = '';
  request.on('data', (chunk: Buffer) => (body += chunk.toString()));
  request.on('end', () => {
    posted.push({ url: request.url, body: JSON.parse(body) as unknown });
    response.statusCode = status;
    response.end();
  });
});

const notification = (incident: string, state: 'firing' | 'resolved' = 'firing') => ({
  version: '4',
  receiver: 'escalation-critical.1',
  status: state,
  alerts: [
    {
      status: state,
      labels: { alertname: 'error-rate-high', incident, escalation_step: 'critical.1' },
      annotations: { summary: 'checkout: 9% of requests failed' },
      startsAt: '2026-12-07T10:00:00Z',
      endsAt: '0001-01-01T00:00:00Z',
      generatorURL: 'http://lantern/api/v1/alerts/x',
      fingerprint: 'abc',
    },
  ],
  groupLabels: { incident },
  commonLabels: { alertname: 'error-rate-high', incident, escalation_step: 'critical.1' },
  commonAnnotations: {},
  externalURL: 'http://alertmanager',
  groupKey: `{}:{incident="${incident}"}`,
  truncatedAlerts: 0,
});

const recorded: NotificationOutcome[] = [];
let api: ApiUnderTest;

beforeAll(async () => {
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${String((receiver.address() as AddressInfo).port)}`;
  // A port nothing listens on: the receiver that is down.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const closedPort = (closed.address() as AddressInfo).port;
  await new Promise((resolve) => closed.close(resolve));
  const policy = parseNotificationPolicy(
    {
      receivers: [
        { name: 'hook', webhook: { url: `${base}/hook?token=secret-token` } },
        { name: 'chat', slack: { url: `${base}/chat` } },
        {
          name: 'down',
          webhook: { url: `http://127.0.0.1:${String(closedPort)}/down?token=secret-token` },
        },
      ],
    },
    'n',
    {},
  );
  api = await startApi(unreachable, {
    notifications: {
      policy,
      record: outcomeRecorder((outcome) => {
        recorded.push(outcome);
        return Promise.resolve();
      }),
      consoleUrl: 'http://console.example',
      now: () => Date.parse('2026-12-07T10:01:00Z'),
      log: () => undefined,
    },
  });
});
afterAll(async () => {
  await api.close();
  receiver.close();
});

const errorOf = (body: Record<string, unknown>) => body.error as { code: string; message: string };

describe("the delivery endpoint Alertmanager's webhooks call", () => {
  it('posts a webhook receiver the body as Alertmanager sent it, and records it delivered', async () => {
    const sent = notification('0123456789abcdef0123');
    const { status: answered, body } = await api.post('/api/v1/notifications/hook', sent);
    expect(answered).toBe(200);
    expect(body).toEqual({ receiver: 'hook', delivered: true });
    expect(posted.at(-1)).toEqual({ url: '/hook?token=secret-token', body: sent });
    expect(recorded.at(-1)).toEqual({
      incidentId: '0123456789abcdef0123',
      receiver: 'hook',
      status: 'firing',
      step: 'critical.1',
      error: undefined,
      at: Date.parse('2026-12-07T10:01:00Z'),
    });
  });

  it('sends a Slack-compatible receiver a text that links the incident', async () => {
    await api.post('/api/v1/notifications/chat', notification('0123456789abcdef0124', 'resolved'));
    expect(posted.at(-1)?.body).toEqual({
      text: '*[RESOLVED] checkout: 9% of requests failed*\n- resolved: checkout: 9% of requests failed (since 2026-12-07T10:00:00Z)\n\nhttp://console.example/incidents/0123456789abcdef0124',
    });
  });

  it('answers 502 when the receiver fails, so Alertmanager retries; records it once, without the URL', async () => {
    status = 503;
    const first = await api.post(
      '/api/v1/notifications/chat',
      notification('0123456789abcdef0125'),
    );
    const again = await api.post(
      '/api/v1/notifications/chat',
      notification('0123456789abcdef0125'),
    );
    status = 200;
    expect([first.status, again.status]).toEqual([502, 502]);
    expect(errorOf(first.body)).toEqual({
      code: 'delivery_failed',
      message: 'receiver "chat": answered 503',
    });
    const failures = recorded.filter((o) => o.incidentId === '0123456789abcdef0125');
    expect(failures).toEqual([
      expect.objectContaining({ receiver: 'chat', error: 'answered 503' }),
    ]);

    const down = await api.post('/api/v1/notifications/down', notification('0123456789abcdef0126'));
    expect(down.status).toBe(502);
    expect(errorOf(down.body).message).toBe('receiver "down": unreachable (ECONNREFUSED)');
    expect(JSON.stringify(recorded)).not.toContain('secret-token');
  });

  it('answers 404 for a receiver the notifications file does not name', async () => {
    const { status: answered, body } = await api.post(
      '/api/v1/notifications/pager',
      notification('0123456789abcdef0127'),
    );
    expect(answered).toBe(404);
    expect(errorOf(body).message).toBe('no receiver named "pager" in the notifications file');
  });

  it('answers 400 naming the field for a body that is not a notification', async () => {
    const { status: answered, body } = await api.post('/api/v1/notifications/hook', {
      ...notification('0123456789abcdef0128'),
      alerts: [],
    });
    expect(answered).toBe(400);
    expect(errorOf(body).message).toContain('"alerts"');
  });
});
