import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { RunningApp } from '../../tools/harness/instrumented-app.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { scrapeSum } from '../../tools/harness/pipeline-counts.ts';
import { startAnalysis } from '../support/analysis-service.ts';
import { upTo } from '../support/polling.ts';
import { bulkLoad, logDocument, type SeedLog } from '../support/seed.ts';

/**
 * Two analysis replicas over one Elasticsearch and one Alertmanager, with the default lease
 * (15 s): started at once, exactly one evaluates; the holder is killed (SIGKILL) while its
 * alert fires, and the other takes over within 30 s, with no transition lost or made twice
 * and no second firing alert in Alertmanager.
 */
const run = Date.now().toString(36);
const SERVICE = `replicas-${run}`;
const RULE = `replica-errors-${run}`;
const started = Date.now();
/** Error records once a second from a minute ago until 75 s from now, then none. */
const SEEDED_UNTIL = started + 75_000;
const logs: SeedLog[] = [];
for (let at = started - 60_000, n = 1; at < SEEDED_UNTIL; at += 1000, n += 1) {
  logs.push({
    service: SERVICE,
    at,
    severityNumber: 17,
    message: `disk full on volume v${String(n % 3)}`,
    traceId: n.toString(16).padStart(32, 'c'),
    spanId: n.toString(16).padStart(16, '0'),
  });
}

const replicas: RunningApp[] = [];
afterAll(async () => {
  await Promise.all(replicas.map((replica) => replica.stop()));
});

const metric = (replica: RunningApp, name: string, match?: Record<string, string>) =>
  scrapeSum(`${replica.url}/metrics`, name, match);
const evaluations = (replica: RunningApp) =>
  metric(replica, 'lantern_analysis_rule_evaluation_seconds_count', { outcome: 'ok' });
const isEvaluator = async (replica: RunningApp) =>
  (await metric(replica, 'lantern_analysis_alert_evaluator')) === 1;

interface ApiAlert {
  id: string;
  state: string;
  startsAt: string;
}
async function alerts(replica: RunningApp, state: string): Promise<ApiAlert[]> {
  const response = await fetch(`${replica.url}/api/v1/alerts?service=${SERVICE}&state=${state}`);
  return ((await response.json()) as { alerts: ApiAlert[] }).alerts;
}
async function history(replica: RunningApp, id: string): Promise<string[]> {
  const response = await fetch(`${replica.url}/api/v1/alerts/${id}`);
  const { history: transitions } = (await response.json()) as {
    history: { from: string; to: string }[];
  };
  return transitions.map((t) => `${t.from}→${t.to}`);
}
async function inAlertmanager(): Promise<{ startsAt: string; fingerprint: string }[]> {
  const filter = encodeURIComponent(`alertname="${RULE}"`);
  const response = await fetch(`${stack.alertmanager}/api/v2/alerts?filter=${filter}`);
  return (await response.json()) as { startsAt: string; fingerprint: string }[];
}

describe('two analysis replicas sharing the alert state', () => {
  let holder: RunningApp;
  let standby: RunningApp;

  beforeAll(async () => {
    await bulkLoad(`lantern-logs-seed-replicas-${run}`, logs.map(logDocument));
    const rules = join(mkdtempSync(join(tmpdir(), 'lantern-rules-')), 'rules.yaml');
    writeFileSync(
      rules,
      [
        'rules:',
        `  - name: ${RULE}`,
        '    kind: log_count',
        `    service: ${SERVICE}`,
        '    op: above',
        '    threshold: 0',
        '    min_severity: 17',
        '    window: 10s',
        '    severity: high',
      ].join('\n'),
    );
    const replica = () =>
      startAnalysis({
        LANTERN_RULES_FILE: rules,
        LANTERN_QUERY_OFFSET: '1s',
        LANTERN_ES_URL: stack.elasticsearch,
        LANTERN_ALERTMANAGER_URL: stack.alertmanager,
      });
    // Both at once: they race for the lease.
    replicas.push(...(await Promise.all([replica(), replica()])));
  }, 120_000);

  it('started at once, exactly one evaluates and fires; the other serves the same alert', async () => {
    const [a, b] = replicas;
    if (!a || !b) throw new Error('replicas did not start');
    const firing = await vi.waitFor(async () => {
      const found = await alerts(a, 'firing');
      expect(found).toHaveLength(1);
      return found;
    }, upTo());
    expect(await alerts(b, 'firing')).toEqual(firing);
    const roles = [await isEvaluator(a), await isEvaluator(b)];
    expect(roles.filter(Boolean)).toHaveLength(1);
    [holder, standby] = roles[0] ? [a, b] : [b, a];
    // While the holder evaluates five more times, the standby evaluates none.
    const done = await evaluations(holder);
    await expect.poll(() => evaluations(holder), upTo()).toBeGreaterThanOrEqual(done + 5);
    expect(await evaluations(standby)).toBe(0);
    expect(await isEvaluator(standby)).toBe(false);
    expect(await inAlertmanager()).toHaveLength(1);
  }, 60_000);

  it('the holder killed while its alert fires: the other takes over within 30 s, losing and repeating nothing', async () => {
    const [before] = await alerts(standby, 'firing');
    const [notifiedBefore] = await inAlertmanager();
    const killedAt = Date.now();
    await holder.stop('SIGKILL');
    await expect.poll(() => evaluations(standby), upTo(40_000)).toBeGreaterThan(0);
    const takeover = Date.now() - killedAt;
    console.log(`lease takeover after SIGKILL of the holder: ${(takeover / 1000).toFixed(1)} s`);
    expect(takeover).toBeLessThan(30_000);
    expect(await isEvaluator(standby)).toBe(true);

    // The same alert, still firing since it first did.
    const after = await alerts(standby, 'firing');
    expect(after.map((a) => [a.id, a.startsAt])).toEqual([[before?.id, before?.startsAt]]);
    const notified = await inAlertmanager();
    expect(notified.map((n) => [n.fingerprint, n.startsAt])).toEqual([
      [notifiedBefore?.fingerprint, notifiedBefore?.startsAt],
    ]);

    // The errors stop; the new holder resolves it. The history holds each transition once.
    const resolved = await vi.waitFor(
      async () => {
        const found = await alerts(standby, 'resolved');
        expect(found).toHaveLength(1);
        return found;
      },
      upTo(Math.max(30_000, SEEDED_UNTIL - Date.now() + 40_000)),
    );
    expect(resolved[0]?.id).toBe(before?.id);
    // The history is its own index, searchable a refresh after the alert's state.
    await expect
      .poll(() => history(standby, before?.id ?? ''), upTo())
      .toEqual(['inactive→firing', 'firing→resolved']);
  }, 150_000);
});
