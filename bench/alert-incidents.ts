/**
 * The labelled-incident half of `npm run bench -- alerts`: the scenario of
 * bench/incidents/scenario.ts sent through the real pipeline (OTLP/HTTP to the Collector, with
 * timestamps on a day of 2021), then Lantern's default rules (config/rules.yaml, SLOs included)
 * evaluated minute by minute over it, as the alert engine runs them. Each firing alert is
 * matched to the labelled incidents: precision, recall and detection delay, per rule kind and
 * for the rule set as a whole. Alert state is kept in memory only. The scenario's documents stay
 * in the local stack's daily indices (the Collector names them by ingest day, and this
 * Elasticsearch has no delete-by-query): services `incident-<run>-svc-NN`, dated 2021-09-01, so
 * nothing of today's figures or alerts sees them; `npm run stack:down -- --wipe` removes them.
 */
import { join } from 'node:path';
import type { Client } from '@elastic/elasticsearch';
import { AlertEngine } from '../src/alerts/engine.ts';
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
import { INCIDENTS, MINUTES, requests, SERVICES, type Request } from './incidents/scenario.ts';

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
  const batches: (() => Promise<void>)[] = [];
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
      batches.push(async () => {
        await sendSpans(service, spanBatch);
        await sendLogs(service, logBatch);
      });
    }
  }
  // Four at a time: the Collector's memory limiter refuses more than it can hold.
  for (let i = 0; i < batches.length; i += 4)
    await Promise.all(batches.slice(i, i + 4).map((b) => b()));
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
  readonly minute: number;
}

export async function alertIncidents(client: Client): Promise<string> {
  const run = Date.now().toString(36);
  const sent = await send(run);
  console.log(
    `[bench] sent ${sent.spans} spans and ${sent.logs} log records; waiting until stored`,
  );
  await settled(client, run, sent.logs);
  console.log(`[bench] evaluating the default rules minute by minute`);
  const rules = loadRules(join(repoRoot, 'config', 'rules.yaml'));
  const clock = { now: 0 };
  const engine = new AlertEngine(client, new DiscardingStore(client), rules, {
    intervalMs: MINUTE,
    queryOffsetMs: 0,
    now: () => clock.now,
    warn: (message) => {
      throw new Error(message);
    },
  });
  const ruleNamed = new Map(rules.map((rule) => [rule.name, rule]));
  const indexOf = new Map(Array.from({ length: SERVICES }, (_, i) => [serviceName(run, i), i]));
  const firings: Firing[] = [];
  for (let minute = FIRST_TICK; minute <= MINUTES; minute += 1) {
    clock.now = START + minute * MINUTE;
    const report = await engine.evaluateOnce();
    for (const t of report.transitions) {
      const rule = ruleNamed.get(t.rule);
      const service = indexOf.get(t.service ?? '');
      if (t.to === 'firing' && rule && service !== undefined)
        firings.push({ rule, service, minute });
    }
  }
  return report(firings, sent);
}

const incidentOf = (f: Firing) =>
  INCIDENTS.find(
    (i) => i.service === f.service && f.minute >= i.start && f.minute <= i.end + GRACE / MINUTE,
  );

function report(firings: readonly Firing[], sent: { spans: number; logs: number }): string {
  const kinds = [...new Set(firings.map((f) => f.rule.kind))].sort();
  const row = (label: string, mine: readonly Firing[]) => {
    const truePositives = mine.filter((f) => incidentOf(f) !== undefined).length;
    const detected = INCIDENTS.filter((i) => mine.some((f) => incidentOf(f) === i));
    const precision = mine.length > 0 ? (truePositives / mine.length).toFixed(2) : '–';
    return `| ${label} | ${mine.length} | ${mine.length - truePositives} | ${precision} | ${detected.length} of ${INCIDENTS.length} (${detected.map((i) => i.kind).join(', ') || 'none'}) |`;
  };
  const delays = INCIDENTS.map((incident) => {
    const first = firings
      .filter((f) => incidentOf(f) === incident)
      .sort((a, b) => a.minute - b.minute)[0];
    return `| ${incident.kind} | svc-${String(incident.service).padStart(2, '0')} from minute ${incident.start} | ${first ? `${first.minute - incident.start} min (${first.rule.name})` : 'not detected'} |`;
  });
  const falsePositives = firings.filter((f) => incidentOf(f) === undefined);
  return [
    `### Labelled incidents: ${SERVICES} services, ${MINUTES / 60} h through the Collector (${sent.spans} spans, ${sent.logs} log records), default rules evaluated every minute from hour 1`,
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
    '| incident | where | detected after |',
    '| --- | --- | --- |',
    ...delays,
    '',
    falsePositives.length === 0
      ? 'No false positive.'
      : `False positives: ${falsePositives.map((f) => `${f.rule.name} on svc-${String(f.service).padStart(2, '0')} at minute ${f.minute}`).join('; ')}.`,
  ].join('\n');
}
