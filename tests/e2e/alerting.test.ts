import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { startApp, type RunningApp } from '../../tools/harness/instrumented-app.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { scrapeSum } from '../../tools/harness/pipeline-counts.ts';
import { startAnalysis } from '../support/analysis-service.ts';
import { upTo } from '../support/polling.ts';

const run = Date.now().toString(36);
const frontendService = `alert-frontend-${run}`;
const backendService = `alert-backend-${run}`;
const apps: RunningApp[] = [];
let trafficOn = true;
afterAll(async () => {
  trafficOn = false;
  await Promise.all(apps.map((app) => app.stop()));
});

interface ApiAlert {
  id: string;
  state: string;
  startsAt: string;
  service: string;
  exemplarTraceIds: string[];
}

/** Evaluations the analysis service has completed since it started. */
const evaluations = (analysis: RunningApp): Promise<number> =>
  scrapeSum(`${analysis.url}/metrics`, 'lantern_analysis_rule_evaluation_seconds_count', {
    outcome: 'ok',
  });

/** Waits for `count` more evaluations: a check that nothing fired then means something. */
async function evaluated(analysis: RunningApp, count: number): Promise<void> {
  const start = await evaluations(analysis);
  await expect
    .poll(() => evaluations(analysis), upTo(60_000))
    .toBeGreaterThanOrEqual(start + count);
}

async function alertsOf(
  analysis: RunningApp,
  service: string,
  state = 'firing',
): Promise<ApiAlert[]> {
  const response = await fetch(`${analysis.url}/api/v1/alerts?service=${service}&state=${state}`);
  return ((await response.json()) as { alerts: ApiAlert[] }).alerts;
}

async function setFaults(app: RunningApp, errorRate: number): Promise<void> {
  const response = await fetch(`${app.url}/_demo/faults`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ errorRate }),
  });
  expect(response.status).toBe(200);
}

describe('end to end: an error burst in the demo fires an alert, and its end resolves it', () => {
  let frontend: RunningApp;
  let analysis: RunningApp;
  let launchAnalysis: () => Promise<void>;

  // The demo services, steady traffic and the analysis service, for every test below.
  beforeAll(async () => {
    const backend = await startApp({
      loader: '--import',
      script: 'demo/backend.mjs',
      service: backendService,
      env: { DEMO_ERROR_RATE: '0' },
    });
    apps.push(backend);
    frontend = await startApp({
      loader: '--import',
      script: 'demo/frontend.mjs',
      service: frontendService,
      env: { DEMO_ERROR_RATE: '0', BACKEND_URL: backend.url },
    });
    apps.push(frontend);
    const rules = join(mkdtempSync(join(tmpdir(), 'lantern-rules-')), 'rules.yaml');
    writeFileSync(
      rules,
      [
        'rules:',
        '  - name: burst-error-rate',
        '    kind: error_rate',
        '    threshold: 0.2',
        '    min_requests: 10',
        '    window: 15s',
        '    severity: high',
        '    annotations:',
        "      summary: '{{service}} is failing'",
      ].join('\n'),
    );
    launchAnalysis = async () => {
      analysis = await startAnalysis({
        LANTERN_RULES_FILE: rules,
        LANTERN_ES_URL: stack.elasticsearch,
        LANTERN_ALERTMANAGER_URL: stack.alertmanager,
      });
      apps.push(analysis);
    };
    await launchAnalysis();
    void (async () => {
      while (trafficOn) {
        await Promise.all(
          Array.from({ length: 5 }, async (_, i) => {
            const response = await fetch(`${frontend.url}/checkout/sku-${i}`).catch(
              () => undefined,
            );
            await response?.arrayBuffer();
          }),
        );
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();
  }, 120_000);

  it('stays quiet while the demo is healthy', async () => {
    // Evaluations every 1 s over 15 s windows ending 3 s ago: after 12, every window held traffic.
    await evaluated(analysis, 12);
    expect(await alertsOf(analysis, frontendService, 'all')).toEqual([]);
    // Quiet over real traffic: the rule's window held more than its min_requests.
    const from = new Date(Date.now() - 30_000).toISOString();
    const answer = await fetch(`${analysis.url}/api/v1/services?from=${from}`);
    const { services } = (await answer.json()) as {
      services: { service: string; requests: { count: number } }[];
    };
    const frontendRow = services.find((row) => row.service === frontendService);
    expect(frontendRow?.requests.count).toBeGreaterThan(10);
  });

  // One burst's whole life in one test: each step needs the state the one before it left.
  it('a burst fires within seconds, reaches Alertmanager once, keeps firing through a restart, and resolves', async () => {
    await setFaults(frontend, 0.6);
    const burstStarted = Date.now();
    const firing = await vi.waitFor(async () => {
      const found = await alertsOf(analysis, frontendService);
      expect(found.length).toBeGreaterThan(0);
      return found;
    }, upTo(60_000));
    console.log(
      `alert latency: burst start → firing in the API: ${((Date.now() - burstStarted) / 1000).toFixed(1)} s`,
    );
    expect(firing[0]?.state).toBe('firing');
    expect(await alertsOf(analysis, backendService, 'all')).toEqual([]);
    const amAlerts = async () =>
      (await (
        await fetch(`${stack.alertmanager}/api/v2/alerts?filter=service%3D%22${frontendService}%22`)
      ).json()) as { startsAt: string; fingerprint: string }[];
    await expect.poll(amAlerts, upTo()).toHaveLength(1);

    // An exemplar trace's logs, in time order.
    const [alert] = await alertsOf(analysis, frontendService);
    const traceId = alert?.exemplarTraceIds[0] ?? '';
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    const logs = await vi.waitFor(async () => {
      const response = await fetch(`${analysis.url}/api/v1/logs?traceId=${traceId}`);
      const found = (
        (await response.json()) as {
          logs: { message: string; timestamp: string; traceId: string }[];
        }
      ).logs;
      expect(found.length).toBeGreaterThan(0);
      return found;
    }, upTo());
    expect(logs.every((log) => log.traceId === traceId)).toBe(true);
    expect(logs.map((log) => log.message).join(' ')).toContain('checkout failed');
    const times = logs.map((log) => Date.parse(log.timestamp));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // Through a restart of the analysis service: same alert, no second notification.
    const [before] = await alertsOf(analysis, frontendService);
    const [amBefore] = await amAlerts();
    await analysis.stop();
    await launchAnalysis();
    await evaluated(analysis, 5);
    const after = await alertsOf(analysis, frontendService);
    expect(after.map((alert) => alert.id)).toEqual([before?.id]);
    const detail = (await (
      await fetch(`${analysis.url}/api/v1/alerts/${before?.id ?? ''}`)
    ).json()) as { alert: { startsAt: string }; history: { to: string }[] };
    expect(detail.alert.startsAt).toBe(before?.startsAt);
    expect(detail.history.filter((t) => t.to === 'firing')).toHaveLength(1);
    const amAfter = await amAlerts();
    expect(amAfter).toHaveLength(1);
    expect(amAfter[0]?.fingerprint).toBe(amBefore?.fingerprint);
    expect(amAfter[0]?.startsAt).toBe(amBefore?.startsAt);

    // Resolves once the burst is over.
    await setFaults(frontend, 0);
    const resolved = await vi.waitFor(async () => {
      const found = await alertsOf(analysis, frontendService, 'resolved');
      expect(found.length).toBeGreaterThan(0);
      return found;
    }, upTo(90_000));
    expect(resolved[0]?.state).toBe('resolved');
    expect(await alertsOf(analysis, frontendService)).toEqual([]);
  }, 300_000);
});
