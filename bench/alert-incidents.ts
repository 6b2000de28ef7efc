/**
 * The labelled-incident half of `npm run bench -- alerts`: the scenario of
 * bench/incidents/scenario.ts sent through the real pipeline (OTLP/HTTP to the Collector, with
 * timestamps on a day of 2021), then Lantern's default rules (config/rules.yaml, SLOs included)
 * evaluated every half minute over it, as the alert engine runs them. Each firing alert is
 * matched to the labelled incidents: precision, recall, time to the first alert and
 * notifications per incident, per rule kind and for the rule set as a whole, and the alerts each
 * healthy but awkward service drew (none is the goal). Alert state is kept in memory only. The scenario's documents stay
 * in the local stack's daily indices (the Collector names them by ingest day, and this
 * Elasticsearch has no delete-by-query): services `incident-<run>-svc-NN`, dated 2021-09-01, so
 * nothing of today's figures or alerts sees them; `npm run stack:down -- --wipe` removes them.
 */
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { AlertEngine } from '../src/alerts/engine.ts';
import { IncidentsInMemory } from '../src/alerts/incidents-in-memory.ts';
import { DiscardingStore } from './discarding-store.ts';
import { loadRules, type AlertRule } from '../src/alerts/rules.ts';
import { fields } from '../src/contracts/fields.ts';
import { indices } from '../src/contracts/indices.ts';
import {
  newSpanId,
  newTraceId,
  sendLogs,
  sendSpans,
  type TestLog,
  type TestSpan,
} from '../tools/harness/otlp.ts';
import { repoRoot } from '../tools/stack/paths.ts';
import { droppedTooEarly, sendPaced, type TraceBatch } from './incidents/collector-pace.ts';
import {
  INCIDENTS,
  MINUTES,
  NOT_INCIDENTS,
  requests,
  SERVICES,
  type Request,
} from './incidents/scenario.ts';

const START = Date.parse('2021-09-01T00:00:00Z');
const MINUTE = 60_000;
/** An alert up to this long after an incident ends still belongs to it (resolution lags). */
const GRACE = 30 * MINUTE;
/** Evaluations begin once an hour of history exists, as for a service that has been running. */
const FIRST_TICK = 60;
const serviceName = (run: string, index: number): string =>
  `incident-${run}-svc-${String(index).padStart(2, '0')}`;

async function send(run: string): Promise<{ spans: number; logs: number }> {
  const byService = new Map<number, Request[]>();
  for (const request of requests()) {
    const list = byService.get(request.service) ?? [];
    list.push(request);
    byService.set(request.service, list);
  }
  let spans = 0;
  let logs = 0;
  const batches: TraceBatch[] = [];
  for (const [index, list] of byService) {
    const service = serviceName(run, index);
    for (let i = 0; i < list.length; i += 500) {
      const slice = list.slice(i, i + 500);
      const ids = slice.map(() => ({ traceId: newTraceId(), spanId: newSpanId() }));
      const spanBatch: TestSpan[] = slice.map((r, j) => ({
        ...(ids[j] ?? { traceId: newTraceId(), spanId: newSpanId() }),
        name: 'GET /work',
        kind: 'server',
        startMs: START + r.atMs,
        durationMs: r.durationMs,
        error: r.failed,
        attributes: { 'http.route': '/work', 'http.response.status_code': r.failed ? 500 : 200 },
      }));
      const logBatch: TestLog[] = slice.map((r, j) => ({
        ...(ids[j] ?? { traceId: newTraceId(), spanId: newSpanId() }),
        timeMs: START + r.atMs + r.durationMs,
        severityNumber: r.log.error ? 17 : 9,
        severityText: r.log.error ? 'ERROR' : 'INFO',
        body: r.log.message,
      }));
      spans += spanBatch.length;
      logs += logBatch.length;
      batches.push({
        traces: spanBatch.length,
        send: async () => {
          await sendSpans(service, spanBatch);
          await sendLogs(service, logBatch);
        },
      });
    }
  }
  await sendPaced(batches);
  return { spans, logs };
}

async function settled(client: Client, run: string, logs: number): Promise<void> {
  const query = { prefix: { [fields.serviceName]: `incident-${run}-` } };
  const deadline = Date.now() + 10 * MINUTE;
  for (;;) {
    await client.indices.refresh({ index: indices.logs.pattern });
    const { count } = await client.count({ index: indices.logs.pattern, query });
    if (count >= logs) break;
    if (Date.now() > deadline) throw new Error(`only ${count} of ${logs} log records arrived`);
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
  // Spans wait in tail sampling a few seconds longer than logs.
  await new Promise((resolve) => setTimeout(resolve, 15_000));
  await client.indices.refresh({ index: indices.spans.pattern });
}

interface Firing {
  readonly rule: AlertRule;
  readonly service: number;
  /** Minutes from the scenario's start (evaluations every half minute). */
  readonly minute: number;
  /**
   * The incident Lantern's grouping put it in (src/alerts/incident-grouping.ts). Alertmanager
   * groups by it: an incident notifies once, at its first escalation step, however many of its
   * signals fire.
   */
  readonly incident: string;
}

/** Evaluations every half minute, as the engine's own (every few seconds) would, more coarsely. */
const TICK = MINUTE / 2;

/** Lantern's default rules evaluated over a run that was sent: every alert that fired. */
export async function evaluateRun(
  client: Client,
  run: string,
  rules: readonly AlertRule[],
): Promise<Firing[]> {
  const clock = { now: 0 };
  // The scenario's services call none other: the grouping's call chain is empty, as the
  // service's would read it from these spans.
  const incidents = new IncidentsInMemory();
  const engine = new AlertEngine(client, new DiscardingStore(client), rules, {
    intervalMs: TICK,
    queryOffsetMs: 0,
    now: () => clock.now,
    warn: (message) => {
      throw new Error(message);
    },
    incidents,
  });
  const ruleNamed = new Map(rules.map((rule) => [rule.name, rule]));
  const indexOf = new Map(Array.from({ length: SERVICES }, (_, i) => [serviceName(run, i), i]));
  const firings: Firing[] = [];
  for (let at = FIRST_TICK * MINUTE; at <= MINUTES * MINUTE; at += TICK) {
    clock.now = START + at;
    const report = await engine.evaluateOnce();
    const fired = report.transitions.filter((t) => t.to === 'firing');
    if (fired.length === 0) continue;
    // Grouped in this evaluation, before it reported: the incident now holding the alert firing.
    const holding = new Map(
      incidents
        .incidents()
        .flatMap((i) =>
          i.signals.filter((s) => s.state === 'firing').map((s) => [s.alertId, i.id]),
        ),
    );
    for (const t of fired) {
      const rule = ruleNamed.get(t.rule);
      const service = indexOf.get(t.service ?? '');
      const incident = holding.get(t.id);
      if (!rule || service === undefined) continue;
      if (incident === undefined) throw new Error(`${t.rule} fired on ${t.service} in no incident`);
      firings.push({ rule, service, minute: at / MINUTE, incident });
    }
  }
  return firings;
}

/** The scenario sent through the Collector and stored: its run's name and what was sent. */
export async function sendScenario(
  client: Client,
): Promise<{ run: string; sent: { spans: number; logs: number } }> {
  const run = Date.now().toString(36);
  const droppedBefore = await droppedTooEarly();
  const sent = await send(run);
  console.log(
    `[bench] sent ${sent.spans} spans and ${sent.logs} log records (run ${run}); waiting until stored`,
  );
  await settled(client, run, sent.logs);
  // Rules judged on a scenario with holes would measure the holes.
  const dropped = (await droppedTooEarly()) - droppedBefore;
  if (dropped > 0) {
    throw new Error(
      `the Collector dropped ${dropped} of the scenario's traces before deciding them (tail_sampling num_traces): send slower`,
    );
  }
  return { run, sent };
}

export async function alertIncidents(client: Client): Promise<string> {
  const { run, sent } = await sendScenario(client);
  console.log(`[bench] evaluating the default rules every half minute`);
  const rules = loadRules(join(repoRoot, 'config', 'rules.yaml'));
  return report(await evaluateRun(client, run, rules), sent);
}

const incidentOf = (f: Firing) =>
  INCIDENTS.find(
    (i) => i.service === f.service && f.minute >= i.start && f.minute <= i.end + GRACE / MINUTE,
  );

const svc = (index: number) => `svc-${String(index).padStart(2, '0')}`;

export function report(firings: readonly Firing[], sent: { spans: number; logs: number }): string {
  const kinds = [...new Set(firings.map((f) => f.rule.kind))].sort();
  const row = (label: string, mine: readonly Firing[]) => {
    const truePositives = mine.filter((f) => incidentOf(f) !== undefined).length;
    const detected = INCIDENTS.filter((i) => mine.some((f) => incidentOf(f) === i));
    const precision = mine.length > 0 ? (truePositives / mine.length).toFixed(2) : '–';
    return `| ${label} | ${mine.length} | ${mine.length - truePositives} | ${precision} | ${detected.length} of ${INCIDENTS.length} (${detected.map((i) => i.kind).join(', ') || 'none'}) |`;
  };
  const perIncident = INCIDENTS.map((incident) => {
    const mine = firings
      .filter((f) => incidentOf(f) === incident)
      .sort((a, b) => a.minute - b.minute);
    const first = mine[0];
    const notifications = new Set(mine.map((f) => f.incident)).size;
    return {
      line: `| ${incident.kind} | ${svc(incident.service)} from minute ${incident.start} | ${first ? `${(first.minute - incident.start).toFixed(1)} min (${first.rule.name})` : 'not detected'} | ${mine.length} | ${notifications} |`,
      alerts: mine.length,
      notifications,
    };
  });
  const falsePositives = firings.filter((f) => incidentOf(f) === undefined);
  const recall = perIncident.filter((i) => i.alerts > 0).length / INCIDENTS.length;
  const precision =
    firings.length > 0 ? (firings.length - falsePositives.length) / firings.length : 1;
  const detected = perIncident.filter((i) => i.alerts > 0);
  const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
  return [
    `### Labelled incidents: ${SERVICES} services, ${MINUTES / 60} h through the Collector (${sent.spans} spans, ${sent.logs} log records), default rules evaluated every ${TICK / 1000} s from hour 1`,
    '',
    `Precision ${precision.toFixed(2)}, recall ${recall.toFixed(2)}; per incident detected, ${mean(detected.map((i) => i.alerts)).toFixed(1)} alerts and ${mean(detected.map((i) => i.notifications)).toFixed(1)} notifications (one per Lantern incident: Alertmanager groups by incident).`,
    '',
    '| rule kind | alerts fired | false positives | precision | incidents detected |',
    '| --- | --- | --- | --- | --- |',
    ...kinds.map((kind) =>
      row(
        kind,
        firings.filter((f) => f.rule.kind === kind),
      ),
    ),
    row('**default rule set**', firings),
    '',
    '| incident | where | first alert after | alerts | notifications |',
    '| --- | --- | --- | --- | --- |',
    ...perIncident.map((i) => i.line),
    '',
    '| healthy but awkward | where | alerts fired |',
    '| --- | --- | --- |',
    ...NOT_INCIDENTS.map(
      (n) =>
        `| ${n.change} | ${svc(n.service)} | ${firings.filter((f) => f.service === n.service).length} |`,
    ),
    '',
    falsePositives.length === 0
      ? 'No false positive.'
      : `False positives: ${falsePositives.map((f) => `${f.rule.name} on ${svc(f.service)} at minute ${f.minute}`).join('; ')}.`,
  ].join('\n');
}
