import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { newSpanId, newTraceId, sendLogs, stack } from '../../tools/harness/otlp.ts';
import { scrapeSum } from '../../tools/harness/pipeline-counts.ts';
import { runningPid } from '../../tools/stack/daemon.ts';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { startServer } from '../../tools/stack/stack.ts';
import { analysisReplicas } from '../../tools/stack/topology.ts';
import { upTo } from '../support/polling.ts';

/**
 * The scaled profile's two analysis replicas, with the default rules, while a new error pattern
 * fires for a service that sends its logs through the gateways: the replica holding the alert
 * lease killed with SIGKILL. The other takes over within 30 s, with the same alert, and
 * Alertmanager holds one alert for it throughout.
 */
const settings = loadStackSettings();
const replicas = analysisReplicas(settings).map((replica, i) => ({
  name: replica.name,
  url: stack.analysis?.[i] ?? '',
}));
const SERVICE = `scale-lease-${Date.now().toString(36)}`;
let killed: string | undefined;
let sending = true;

afterAll(async () => {
  sending = false;
  if (killed) await startServer(killed, settings);
});

/** 20 records a second through both gateways, a fifth of them the same new error. */
async function sendUntilStopped(): Promise<void> {
  for (let n = 0; sending; n += 1) {
    const now = Date.now();
    const logs = Array.from({ length: 10 }, (_, i) => ({
      traceId: newTraceId(),
      spanId: newSpanId(),
      timeMs: now + i,
      severityNumber: i < 2 ? 17 : 9,
      severityText: i < 2 ? 'ERROR' : 'INFO',
      body:
        i < 2
          ? `ledger write refused for account ${String(n * 10 + i)}`
          : `order ${String(n)} placed`,
    }));
    await Promise.all((stack.gateways ?? []).map((gateway) => sendLogs(SERVICE, logs, gateway)));
    await sleep(1000);
  }
}

const isEvaluator = async (url: string): Promise<boolean> =>
  (await scrapeSum(`${url}/metrics`, 'lantern_analysis_alert_evaluator').catch(() => 0)) === 1;
const evaluations = (url: string): Promise<number> =>
  scrapeSum(`${url}/metrics`, 'lantern_analysis_rule_evaluation_seconds_count', { outcome: 'ok' });

interface ApiAlert {
  id: string;
  rule: string;
  startsAt: string;
}
async function firing(url: string): Promise<ApiAlert[]> {
  const response = await fetch(`${url}/api/v1/alerts?service=${SERVICE}&state=firing`);
  // Right after the stack starts, Elasticsearch may still answer 503 for a moment: not yet.
  if (response.status === 503) return [];
  if (!response.ok) {
    throw new Error(`${url} answered ${String(response.status)}: ${await response.text()}`);
  }
  return ((await response.json()) as { alerts: ApiAlert[] }).alerts;
}
async function inAlertmanager(): Promise<{ startsAt: string; fingerprint: string }[]> {
  const filters = ['alertname="error-pattern"', `service="${SERVICE}"`]
    .map((matcher) => `filter=${encodeURIComponent(matcher)}`)
    .join('&');
  const response = await fetch(`${stack.alertmanager}/api/v2/alerts?${filters}`);
  return (await response.json()) as { startsAt: string; fingerprint: string }[];
}

/**
 * The default error-pattern rule pages a new pattern only on a service with a week of logs
 * (younger, every error is a first): records every 2 minutes around the lookback's start, an
 * hour of them, make the service a week old for the next half hour.
 */
async function giveAWeekOfHistory(): Promise<void> {
  const weekAgo = Date.now() - 7 * 24 * 3_600_000;
  const logs = Array.from({ length: 30 }, (_, i) => ({
    traceId: newTraceId(),
    spanId: newSpanId(),
    timeMs: weekAgo - 30 * 60_000 + i * 120_000,
    severityNumber: 9,
    severityText: 'INFO',
    body: `order ${String(i)} placed`,
  }));
  const [gateway] = stack.gateways ?? [];
  await sendLogs(SERVICE, logs, gateway);
}

describe('the scaled profile’s lease holder killed while its alert fires', () => {
  it('hands evaluation to the other replica within 30 s, with the same alert and no second one', async () => {
    await giveAWeekOfHistory();
    const load = sendUntilStopped();
    const [first, second] = replicas;
    if (!first || !second) throw new Error('the scaled profile runs two analysis replicas');
    const alert = await vi.waitFor(async () => {
      const found = (await firing(first.url)).find((a) => a.rule === 'error-pattern');
      expect(found).toBeDefined();
      return found;
    }, upTo(90_000));
    const [holder, standby] = (await isEvaluator(first.url)) ? [first, second] : [second, first];
    expect(await isEvaluator(holder.url)).toBe(true);
    expect(await isEvaluator(standby.url)).toBe(false);
    const notifiedBefore = await vi.waitFor(async () => {
      const found = await inAlertmanager();
      expect(found.length).toBeGreaterThan(0);
      return found;
    }, upTo());

    killed = holder.name;
    const standbyBefore = await evaluations(standby.url);
    const killedAt = Date.now();
    process.kill(-(runningPid(settings.paths, holder.name) ?? 0), 'SIGKILL');
    await expect.poll(() => evaluations(standby.url), upTo(40_000)).toBeGreaterThan(standbyBefore);
    const takeoverMs = Date.now() - killedAt;
    console.log(
      `[scale lease] ${holder.name} killed; ${standby.name} evaluating after ${(takeoverMs / 1000).toFixed(1)} s`,
    );
    expect(takeoverMs).toBeLessThan(30_000);
    expect(await isEvaluator(standby.url)).toBe(true);

    // Two more evaluations by the new holder: still the same alert, and still one in
    // Alertmanager, firing since it first did.
    const done = await evaluations(standby.url);
    await expect.poll(() => evaluations(standby.url), upTo()).toBeGreaterThanOrEqual(done + 2);
    const after = (await firing(standby.url)).find((a) => a.rule === 'error-pattern');
    expect([after?.id, after?.startsAt]).toEqual([alert?.id, alert?.startsAt]);
    const notified = await inAlertmanager();
    expect(notified.map((n) => [n.fingerprint, n.startsAt])).toEqual(
      notifiedBefore.map((n) => [n.fingerprint, n.startsAt]),
    );
    sending = false;
    await load;
  });
});
