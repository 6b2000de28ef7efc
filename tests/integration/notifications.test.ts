import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import type { Incident, TimelineEntry } from '../../src/contracts/incident.ts';
import { startApp, type RunningApp } from '../../tools/harness/instrumented-app.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { newTraceId } from '../../tools/harness/trace-ids.ts';
import { renderAlertmanagerConfig } from '../../tools/stack/alertmanager.ts';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { startAnalysis } from '../support/analysis-service.ts';
import { upTo } from '../support/polling.ts';
import { bulkLoad, spanDocument } from '../support/seed.ts';

/**
 * Notifications end to end, driven by the analysis service's own alert engine: spans seeded in
 * Elasticsearch make its rules fire, it groups the alerts into incidents and pushes them to the
 * stack's real Alertmanager (configured by rendering a notifications file), which hands each
 * notification back to the service to deliver to a real HTTP receiver and a real SMTP server
 * (tools/harness/notification-receivers.ts). Alertmanager is reached through a proxy that can
 * refuse pushes; the service is restarted midway.
 */

const run = Date.now().toString(36);
/** Two rules fire for it: one incident. Acknowledged, then resolved by hand. */
const TWO = `notify-two-${run}`;
/** One rule, left alone: it escalates to step 2. */
const LONE = `notify-lone-${run}`;
/** High severity, whose only receiver is down. */
const DOWN = `notify-down-${run}`;
const STEP_2_AFTER_S = 30;
/** Rides in the down receiver's URL, as a Slack URL's token does: never to be logged. */
const SECRET = `secret-${run}`;

interface Webhook {
  path: string;
  body: {
    status: 'firing' | 'resolved';
    alerts: { status: string; labels: Record<string, string> }[];
    groupLabels?: Record<string, string>;
    text?: string;
  };
}
interface Received {
  webhooks: Webhook[];
  mails: { to: string[]; message: string }[];
  smtpPort: number;
}

/** A port nothing listens on (the receiver that is down), or one to listen on later. */
async function freePort(): Promise<number> {
  const server = createTcpServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Alertmanager behind a switch: while `refusing`, pushes of alerts are answered 503. */
async function alertmanagerProxy(): Promise<{
  url: string;
  refusing: boolean;
  refused: number;
  server: Server;
}> {
  const proxy = { url: '', refusing: false, refused: 0, server: undefined as unknown as Server };
  proxy.server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (proxy.refusing && request.method === 'POST' && request.url === '/api/v2/alerts') {
        proxy.refused += 1;
        response.writeHead(503).end('refused by the test');
        return;
      }
      const body = Buffer.concat(chunks);
      void fetch(`${stack.alertmanager}${request.url ?? ''}`, {
        method: request.method ?? 'GET',
        headers: { 'content-type': request.headers['content-type'] ?? 'application/json' },
        ...(body.length > 0 ? { body } : {}),
      })
        .then(async (answer) => {
          response.writeHead(answer.status, {
            'content-type': answer.headers.get('content-type') ?? 'application/json',
          });
          response.end(Buffer.from(await answer.arrayBuffer()));
        })
        .catch(() => response.writeHead(502).end());
    });
  });
  await new Promise<void>((resolve) => proxy.server.listen(0, '127.0.0.1', resolve));
  proxy.url = `http://127.0.0.1:${String((proxy.server.address() as { port: number }).port)}`;
  return proxy;
}

// Every service fails all along, from 15 minutes ago to 15 minutes on (the evaluation's clock is
// the real one).
const MINUTE = 60_000;
const documents: Record<string, unknown>[] = [];
for (let at = Date.now() - 15 * MINUTE; at < Date.now() + 15 * MINUTE; at += 2000)
  for (const service of [TWO, LONE, DOWN])
    documents.push(
      spanDocument({
        service,
        route: '/pay',
        at,
        durationMs: 20,
        failed: true,
        weight: 1,
        traceId: newTraceId(),
      }),
    );

const rule = (name: string, service: string, threshold: number, severity: string): object => ({
  name,
  kind: 'error_rate',
  service,
  threshold,
  for: '0s',
  severity,
});

describe('notifications from the alert engine through the real Alertmanager', () => {
  const settings = loadStackSettings();
  const dir = mkdtempSync(join(tmpdir(), 'lantern-notify-'));
  const policyFile = join(dir, 'notifications.yaml');
  const rulesFile = join(dir, 'rules.yaml');
  let receivers: RunningApp;
  let analysis: RunningApp;
  let proxy: Awaited<ReturnType<typeof alertmanagerProxy>>;
  let startService: () => Promise<RunningApp>;

  const received = async (): Promise<Received> =>
    (await (await fetch(`${receivers.url}/received`)).json()) as Received;
  const webhooksOf = async (incident: string, path: string): Promise<Webhook['body'][]> =>
    (await received()).webhooks
      .filter(
        (w) =>
          w.path === path &&
          // A Slack message is text, which links the incident.
          (w.body.groupLabels?.incident ?? w.body.text?.match(/incidents\/(\w+)/)?.[1]) ===
            incident,
      )
      .map((w) => w.body);
  const api = async (path: string, body?: unknown): Promise<Record<string, unknown>> => {
    const response = await fetch(`${analysis.url}/api/v1${path}`, {
      ...(body === undefined
        ? {}
        : {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(body),
          }),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, unknown>;
  };
  /** The incident of a service, once the engine has made one. */
  const incidentOf = (service: string): Promise<Incident> =>
    vi.waitFor(async () => {
      const { incidents } = (await api(`/incidents?service=${service}`)) as {
        incidents: Incident[];
      };
      const [incident] = incidents;
      if (!incident) throw new Error(`no incident of ${service} yet`);
      return incident;
    }, upTo(60_000));
  const timeline = async (id: string): Promise<TimelineEntry[]> =>
    ((await api(`/incidents/${id}`)) as { timeline: TimelineEntry[] }).timeline;

  beforeAll(async () => {
    await bulkLoad(`lantern-spans-seed-notify-${run}`, documents);
    receivers = await startApp({
      loader: 'none',
      script: 'tools/harness/notification-receivers.ts',
      service: 'receivers',
    });
    proxy = await alertmanagerProxy();
    const { smtpPort } = await received();
    process.env.LANTERN_TEST_DOWN_TOKEN = SECRET;
    writeFileSync(
      policyFile,
      stringify({
        // Longer than an evaluation or two: two rules that fire a tick apart still notify once.
        group_wait: '3s',
        group_interval: '2s',
        repeat_interval: '1h',
        receivers: [
          { name: 'hook', webhook: { url: `${receivers.url}/hook` } },
          { name: 'chat', slack: { url: `${receivers.url}/chat` } },
          {
            name: 'mail',
            email: {
              smtp: `smtp://127.0.0.1:${String(smtpPort)}`,
              from: 'lantern@example.com',
              to: ['oncall@example.com'],
            },
          },
          {
            name: 'down',
            webhook: {
              url: `http://127.0.0.1:${String(await freePort())}/?token=\${LANTERN_TEST_DOWN_TOKEN}`,
            },
          },
        ],
        escalation: {
          critical: [
            { after: '0s', receivers: ['hook', 'mail'] },
            { after: `${String(STEP_2_AFTER_S)}s`, receivers: ['chat'] },
          ],
          high: [{ after: '0s', receivers: ['down'] }],
        },
      }),
    );
    writeFileSync(
      rulesFile,
      stringify({
        rules: [
          rule(`errors-${TWO}`, TWO, 0.05, 'critical'),
          rule(`errors-severe-${TWO}`, TWO, 0.5, 'critical'),
          rule(`errors-${LONE}`, LONE, 0.05, 'critical'),
          rule(`errors-${DOWN}`, DOWN, 0.05, 'high'),
        ],
      }),
    );
    // One port and one replica id across the restart: Alertmanager's webhooks name the port,
    // and the restarted service takes its own lease back at once.
    const port = String(await freePort());
    startService = () =>
      startAnalysis({
        PORT: port,
        LANTERN_REPLICA_ID: `notify-${run}`,
        LANTERN_NOTIFICATIONS_FILE: policyFile,
        LANTERN_RULES_FILE: rulesFile,
        LANTERN_ES_URL: stack.elasticsearch,
        LANTERN_ALERTMANAGER_URL: proxy.url,
        LANTERN_TEST_DOWN_TOKEN: SECRET,
      });
    renderAlertmanagerConfig(settings, `http://127.0.0.1:${port}`, policyFile);
    const reload = await fetch(`${stack.alertmanager}/-/reload`, { method: 'POST' });
    expect(reload.status).toBe(200);
    analysis = await startService();
  }, 120_000);

  afterAll(async () => {
    renderAlertmanagerConfig(settings);
    await fetch(`${stack.alertmanager}/-/reload`, { method: 'POST' }).catch(() => undefined);
    await analysis.stop();
    await receivers.stop();
    proxy.server.close();
  });

  it('two signals, one notification; acknowledged, no next step, and a refused push or a restart sends nothing twice', async () => {
    const two = await incidentOf(TWO);
    const lone = await incidentOf(LONE);

    // Both signals of the incident in one notification, to the webhook and by mail.
    const [first] = await vi.waitFor(async () => {
      const bodies = await webhooksOf(two.id, '/hook');
      if (bodies.length === 0) throw new Error('not notified yet');
      return bodies;
    }, upTo(30_000));
    expect(first?.status).toBe('firing');
    expect(first?.alerts.map((alert) => alert.labels.alertname).sort()).toEqual([
      `errors-${TWO}`,
      `errors-severe-${TWO}`,
    ]);
    expect(first?.alerts.every((alert) => alert.labels.escalation_step === 'critical.1')).toBe(
      true,
    );

    // Acknowledging silences the incident in Alertmanager, and says so on its timeline.
    await api(`/incidents/${two.id}/acknowledge`, { by: 'ana', note: 'on it' });
    const silences = (await (await fetch(`${stack.alertmanager}/api/v2/silences`)).json()) as {
      matchers: { name: string; value: string }[];
      status: { state: string };
    }[];
    expect(
      silences.filter(
        (s) =>
          s.status.state === 'active' &&
          s.matchers.some((m) => m.name === 'incident' && m.value === two.id),
      ),
    ).toHaveLength(1);
    expect((await timeline(two.id)).map((entry) => entry.kind)).toContain('silenced');

    // Alertmanager refuses two pushes, then takes them again; the service restarts.
    proxy.refusing = true;
    await expect.poll(() => proxy.refused, upTo(30_000)).toBeGreaterThanOrEqual(2);
    proxy.refusing = false;
    await analysis.stop();
    analysis = await startService();

    // The incident left alone reaches step 2: the chat hears of it, linking the incident.
    const chat = await vi.waitFor(
      async () => {
        const [message] = await webhooksOf(lone.id, '/chat');
        if (!message) throw new Error('not escalated yet');
        return message;
      },
      upTo((STEP_2_AFTER_S + 30) * 1000),
    );
    expect(chat.text).toContain(`/incidents/${lone.id}`);
    // The acknowledged one, opened as early, did not.
    expect(await webhooksOf(two.id, '/chat')).toEqual([]);

    // Resolved by hand: the silence is lifted and the resolve sent. The webhook heard of the
    // incident exactly twice, firing and resolved: the refused pushes and the restart repeated
    // nothing before the resolve.
    await api(`/incidents/${two.id}/resolve`, { by: 'ana', note: 'fixed' });
    await vi.waitFor(async () => {
      expect((await webhooksOf(two.id, '/hook')).map((body) => body.status)).toEqual([
        'firing',
        'resolved',
      ]);
      const mails = (await received()).mails.filter((m) =>
        m.message.includes(`/incidents/${two.id}`),
      );
      expect(mails.map((m) => /Subject: \[(\w+)/.exec(m.message)?.[1])).toEqual([
        'FIRING',
        'RESOLVED',
      ]);
      expect(mails[0]?.to).toEqual(['oncall@example.com']);
    }, upTo(30_000));

    // Each delivery is on the incident's timeline.
    await vi.waitFor(async () => {
      const notified = (await timeline(two.id))
        .filter((entry) => entry.kind === 'notified')
        .map((entry) => `${entry.details.receiver ?? ''} ${entry.details.status ?? ''}`)
        .sort();
      expect(notified).toEqual(['hook firing', 'hook resolved', 'mail firing', 'mail resolved']);
    }, upTo(10_000));

    // The two incidents' timelines, for the record (docs/notifications.md quotes one).
    for (const incident of [two, lone]) {
      const entries = await timeline(incident.id);
      const start = Date.parse(entries[0]?.at ?? incident.startedAt);
      console.log(
        `[timeline ${incident.id}]\n` +
          entries
            .map(
              (e) => `  +${((Date.parse(e.at) - start) / 1000).toFixed(1)} s ${e.kind}: ${e.text}`,
            )
            .join('\n'),
      );
    }
  });

  it('a receiver that is down fails, is retried by Alertmanager, and its secret is never shown', async () => {
    const down = await incidentOf(DOWN);
    const failures = async (): Promise<number> => {
      const text = await (await fetch(`${analysis.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.includes('notifications/:receiver"') && l.includes('status="502"'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    // Alertmanager tried, Lantern answered 502, and Alertmanager tried again.
    await expect.poll(failures, upTo(60_000)).toBeGreaterThanOrEqual(2);
    const failed = (await timeline(down.id)).filter((entry) => entry.kind === 'notify-failed');
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed[0]?.details.receiver).toBe('down');
    expect(analysis.stdout()).toMatch(
      new RegExp(`"incidentId":"${down.id}".*"receiver":"down".*failed to notify`),
    );
    expect(analysis.stdout()).not.toContain(SECRET);
    expect(JSON.stringify(failed)).not.toContain(SECRET);
    const active = (await (
      await fetch(
        `${stack.alertmanager}/api/v2/alerts?active=true&filter=incident%3D%22${down.id}%22`,
      )
    ).json()) as unknown[];
    expect(active).toHaveLength(1);
  });
});
