import { randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { stringify } from 'yaml';
import {
  expireIncidentSilences,
  pushToAlertmanager,
  silenceIncident,
} from '../../src/alerts/alertmanager.ts';
import { escalatedAlerts } from '../../src/alerts/notifications/escalated-alerts.ts';
import type { EscalatedIncident } from '../../src/alerts/notifications/escalation.ts';
import { loadNotificationPolicy } from '../../src/alerts/notifications/policy.ts';
import type { Alert } from '../../src/contracts/alert.ts';
import { startApp, type RunningApp } from '../../tools/harness/instrumented-app.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { renderAlertmanagerConfig } from '../../tools/stack/alertmanager.ts';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { startAnalysis } from '../support/analysis-service.ts';
import { upTo } from '../support/polling.ts';

/**
 * Notifications end to end over real protocols: the stack's Alertmanager, configured by
 * rendering a notifications file, groups the alerts Lantern pushes by incident and routes each
 * escalation step; the analysis service delivers each notification to a real HTTP receiver and
 * a real SMTP server (tools/harness/notification-receivers.ts), or fails to, and Alertmanager
 * retries. The test plays the evaluator's part: it pushes what `escalatedAlerts` makes of its
 * incidents every half second, as each evaluation does.
 */

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

const STEP_2_AFTER_S = 12;
const am = { url: stack.alertmanager, publicUrl: 'http://127.0.0.1:8080' };
const id = (): string => randomBytes(10).toString('hex');

/** A port nothing listens on: the receiver that is down. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const signal = (incident: string, rule: string, severity: string): Alert =>
  ({
    id: id(),
    rule,
    summary: `checkout: ${rule} fired`,
    labels: { alertname: rule, service: `checkout-${incident}`, severity },
    annotations: {},
    exemplarTraceIds: [],
    startsAt: new Date().toISOString(),
    endsAt: null,
  }) as unknown as Alert;

describe('notifications through the real Alertmanager', () => {
  let receivers: RunningApp;
  let analysis: RunningApp;
  let pushing: NodeJS.Timeout | undefined;
  const settings = loadStackSettings();
  /** The incidents the test's evaluator pushes, and their signals. */
  const incidents = new Map<string, { incident: EscalatedIncident; alerts: Alert[] }>();
  const policyFile = join(mkdtempSync(join(tmpdir(), 'lantern-notify-')), 'notifications.yaml');

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

  const push = async (): Promise<void> => {
    const policy = loadNotificationPolicy(policyFile);
    const all = [...incidents.values()];
    const byAlert = new Map(all.flatMap((i) => i.alerts.map((a) => [a.id, i.incident])));
    const alerts = all.flatMap((i) => i.alerts);
    await pushToAlertmanager(
      am,
      escalatedAlerts(alerts, (a) => byAlert.get(a.id), policy, Date.now()),
    );
  };

  beforeAll(async () => {
    receivers = await startApp({
      loader: 'none',
      script: 'tools/harness/notification-receivers.ts',
      service: 'receivers',
    });
    const { smtpPort } = await received();
    writeFileSync(
      policyFile,
      stringify({
        group_wait: '1s',
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
          { name: 'down', webhook: { url: `http://127.0.0.1:${String(await closedPort())}/` } },
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
    const noRules = join(dirname(policyFile), 'rules.yaml');
    writeFileSync(noRules, 'rules: []\n');
    analysis = await startAnalysis({
      LANTERN_NOTIFICATIONS_FILE: policyFile,
      LANTERN_RULES_FILE: noRules,
      LANTERN_ES_URL: stack.elasticsearch,
    });
    renderAlertmanagerConfig(settings, analysis.url, policyFile);
    const reload = await fetch(`${stack.alertmanager}/-/reload`, { method: 'POST' });
    expect(reload.status).toBe(200);
    const tick = (): void => {
      void push()
        .catch(() => undefined)
        .finally(() => {
          if (pushing) pushing = setTimeout(tick, 500);
        });
    };
    pushing = setTimeout(tick, 0);
  }, 60_000);

  afterAll(async () => {
    clearTimeout(pushing);
    pushing = undefined;
    // Resolve whatever is left, and give the stack its own configuration back.
    for (const entry of incidents.values())
      entry.incident = { ...entry.incident, resolvedAt: Date.now() };
    await push().catch(() => undefined);
    renderAlertmanagerConfig(settings);
    await fetch(`${stack.alertmanager}/-/reload`, { method: 'POST' }).catch(() => undefined);
    await analysis.stop();
    await receivers.stop();
  });

  const open = (severity: 'critical' | 'high', signals: string[]): string => {
    const incident = id();
    incidents.set(incident, {
      incident: { id: incident, severity, openedAt: Date.now() },
      alerts: signals.map((rule) => signal(incident, rule, severity)),
    });
    return incident;
  };
  const update = (incident: string, change: Partial<EscalatedIncident>): void => {
    const entry = incidents.get(incident);
    if (entry) entry.incident = { ...entry.incident, ...change };
  };

  it('tells each step once per incident, escalates unacknowledged, stops at acknowledgement, sends the resolve', async () => {
    // Two incidents open together: A is left alone, B is acknowledged after its first notice.
    // B opens first, so its step 2, were it pushed, would be due before A's.
    const b = open('critical', ['error-rate-high']);
    const a = open('critical', ['error-rate-high', 'latency-p95-slow']);

    const firstOfB = await vi.waitFor(async () => {
      const [first] = await webhooksOf(b, '/hook');
      if (!first) throw new Error('B not notified yet');
      return first;
    }, upTo(30_000));
    expect(firstOfB.status).toBe('firing');
    await silenceIncident(am, b, {
      endsAt: new Date(Date.now() + 3_600_000),
      createdBy: 'test',
      comment: 'acknowledged',
    });
    update(b, { acknowledgedAt: Date.now() });

    // A reaches step 2: the chat receiver hears of it, as a Slack message linking the incident.
    const chat = await vi.waitFor(
      async () => {
        const [first] = await webhooksOf(a, '/chat');
        if (!first) throw new Error('A not escalated yet');
        return first;
      },
      upTo((STEP_2_AFTER_S + 30) * 1000),
    );
    expect(chat.text).toContain(`/incidents/${a}`);

    // By then A's step 1 told the webhook once, of both its signals, and B never reached step 2.
    const hookOfA = await webhooksOf(a, '/hook');
    expect(hookOfA).toHaveLength(1);
    expect(hookOfA[0]?.alerts.map((alert) => alert.labels.alertname).sort()).toEqual([
      'error-rate-high',
      'latency-p95-slow',
    ]);
    expect(hookOfA[0]?.alerts.every((alert) => alert.labels.escalation_step === 'critical.1')).toBe(
      true,
    );
    expect(await webhooksOf(b, '/chat')).toEqual([]);
    const mailsOfA = (await received()).mails.filter((m) => m.message.includes(`/incidents/${a}`));
    expect(mailsOfA).toHaveLength(1);
    expect(mailsOfA[0]?.to).toEqual(['oncall@example.com']);
    expect(mailsOfA[0]?.message).toMatch(/Subject: \[FIRING:2\] checkout: /);

    // Resolving A tells every step it reached; B's silence is lifted first, so it hears too.
    update(a, { resolvedAt: Date.now() });
    expect(await expireIncidentSilences(am, b)).toBe(1);
    update(b, { resolvedAt: Date.now() });
    await vi.waitFor(async () => {
      expect((await webhooksOf(a, '/hook')).map((body) => body.status)).toEqual([
        'firing',
        'resolved',
      ]);
      const chatStates = (await webhooksOf(a, '/chat')).map((body) =>
        body.text?.startsWith('*[RESOLVED]') ? 'resolved' : 'firing',
      );
      expect(chatStates).toEqual(['firing', 'resolved']);
      expect((await webhooksOf(b, '/hook')).at(-1)?.status).toBe('resolved');
      const resolvedMail = (await received()).mails.filter(
        (m) => m.message.includes(`/incidents/${a}`) && m.message.includes('[RESOLVED]'),
      );
      expect(resolvedMail).toHaveLength(1);
    }, upTo(30_000));
  });

  it('a receiver that is down fails, is retried by Alertmanager, and the incident stays open', async () => {
    const c = open('high', ['error-rate-high']);
    const failures = async (): Promise<number> => {
      const text = await (await fetch(`${analysis.url}/metrics`)).text();
      const line = text
        .split('\n')
        .find((l) => l.includes('notifications/:receiver"') && l.includes('status="502"'));
      return Number(line?.split(' ').at(-1) ?? 0);
    };
    // Alertmanager tried, Lantern answered 502, and Alertmanager tried again.
    await expect.poll(failures, upTo(60_000)).toBeGreaterThanOrEqual(2);
    expect(analysis.stdout()).toMatch(
      new RegExp(`"incidentId":"${c}".*"receiver":"down".*failed to notify`),
    );
    const active = (await (
      await fetch(`${stack.alertmanager}/api/v2/alerts?active=true&filter=incident%3D%22${c}%22`)
    ).json()) as unknown[];
    expect(active).toHaveLength(1);
  });
});
