/**
 * The seeded-incident half of `npm run bench -- why`: the scenario of ./scenario.ts sent through
 * the real Collector (OTLP/HTTP, its tail sampling and weights, timestamps on a day of 2021),
 * then, per incident, the differences endpoint of the real analysis API asked about the
 * incident's window and its natural selection (failed requests, or those over the latency
 * bound): is the top-ranked value the cause? The documents stay in the stack's daily indices
 * (services `why-<run>-NN`, dated 2021-10-01, so nothing of today's figures sees them).
 */
import type { Client } from '@elastic/elasticsearch';
import type { Differences } from '../../src/contracts/api/differences.ts';
import { fields } from '../../src/contracts/fields.ts';
import { indices } from '../../src/contracts/indices.ts';
import { startApi } from '../../tools/harness/api-server.ts';
import { newSpanId, newTraceId, sendSpans, type TestSpan } from '../../tools/harness/otlp.ts';
import { droppedTooEarly, sendPaced, type TraceBatch } from '../incidents/collector-pace.ts';
import { causeRank } from './cause-rank.ts';
import { INCIDENTS, MINUTES, ONSET, requests, SLOW_MS, type Request } from './scenario.ts';

const START = Date.parse('2021-10-01T00:00:00Z');
const MINUTE = 60_000;
const BATCH = 500;

const serviceName = (run: string, index: number) => `why-${run}-${String(index).padStart(2, '0')}`;
const backendOf = (service: string) => `${service}-backend`;

/** The spans of one request: its entry span, and with a backend call a client and a server span. */
function spansOf(r: Request, service: string): TestSpan[] {
  const traceId = newTraceId();
  const entry = newSpanId();
  const startMs = START + r.atMs;
  const { traits } = r;
  const resource = {
    'host.name': traits.host,
    'service.instance.id': traits.instance,
    'service.version': traits.version,
    'deployment.environment': 'production',
  };
  const spans: TestSpan[] = [
    {
      traceId,
      spanId: entry,
      name: `${traits.method} ${traits.route}`,
      kind: 'server',
      startMs,
      durationMs: r.durationMs,
      error: r.failed,
      resource,
      attributes: {
        'http.route': traits.route,
        'http.request.method': traits.method,
        'http.response.status_code': r.failed ? 500 : 200,
        'app.customer.tier': traits.tier,
      },
    },
  ];
  if (!r.call) return spans;
  const client = newSpanId();
  const [method = 'GET', path = '/'] = r.call.operation.split(' ');
  spans.push(
    {
      traceId,
      spanId: client,
      parentSpanId: entry,
      name: method,
      kind: 'client',
      startMs: startMs + 1,
      durationMs: r.call.durationMs + 1,
      error: r.call.failed,
      resource,
      attributes: { 'http.request.method': method, 'server.address': 'backend' },
    },
    {
      traceId,
      spanId: newSpanId(),
      parentSpanId: client,
      name: r.call.operation,
      kind: 'server',
      startMs: startMs + 1.5,
      durationMs: r.call.durationMs,
      error: r.call.failed,
      resource: { 'service.name': backendOf(service), 'host.name': 'backend-1' },
      attributes: {
        'http.route': path,
        'http.request.method': method,
        'http.response.status_code': r.call.failed ? 500 : 200,
      },
    },
  );
  return spans;
}

/** Sends the scenario through the Collector, paced; the spans sent. */
async function send(run: string): Promise<number> {
  const byIncident = new Map<number, Request[]>();
  for (const r of requests()) {
    const list = byIncident.get(r.incident) ?? [];
    list.push(r);
    byIncident.set(r.incident, list);
  }
  let spans = 0;
  const batches: TraceBatch[] = [];
  for (const [index, list] of byIncident) {
    const service = serviceName(run, index);
    for (let i = 0; i < list.length; i += BATCH) {
      const slice = list.slice(i, i + BATCH);
      const batch = slice.flatMap((r) => spansOf(r, service));
      spans += batch.length;
      batches.push({ traces: slice.length, send: () => sendSpans(service, batch) });
    }
  }
  // Interleaved across services, as live traffic arrives.
  const perService = Math.ceil(batches.length / byIncident.size);
  const order = Array.from({ length: perService }, (_, k) =>
    batches.filter((_, j) => j % perService === k),
  ).flat();
  await sendPaced(order);
  return spans;
}

/** Waits until the run's stored spans stop growing (tail sampling decides seconds after). */
async function settled(client: Client, run: string): Promise<number> {
  const query = { prefix: { [fields.serviceName]: `why-${run}-` } };
  let last = -1;
  const deadline = Date.now() + 10 * MINUTE;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 10_000));
    await client.indices.refresh({ index: indices.spans.pattern });
    const { count } = await client.count({ index: indices.spans.pattern, query });
    if (count > 0 && count === last) return count;
    if (Date.now() > deadline) throw new Error(`the run's spans still arrive after 10 minutes`);
    last = count;
  }
}

export interface IncidentResult {
  readonly name: string;
  readonly selection: string;
  readonly cause: string;
  readonly top: string;
  readonly rank: number | undefined;
  readonly selected: number;
}

/** Every incident's answer from the differences endpoint. */
export async function seededIncidents(
  client: Client,
): Promise<{ results: IncidentResult[]; sent: number; stored: number }> {
  const run = Date.now().toString(36);
  const droppedBefore = await droppedTooEarly();
  const sent = await send(run);
  console.log(`[bench] sent ${sent} spans (run ${run}); waiting until stored`);
  const stored = await settled(client, run);
  const dropped = (await droppedTooEarly()) - droppedBefore;
  if (dropped > 0)
    throw new Error(`the Collector dropped ${dropped} traces undecided: send slower`);
  const api = await startApi(client);
  const results: IncidentResult[] = [];
  try {
    const window = `from=${new Date(START + ONSET * MINUTE).toISOString()}&to=${new Date(START + MINUTES * MINUTE).toISOString()}`;
    for (const [index, incident] of INCIDENTS.entries()) {
      const service = serviceName(run, index);
      const selection = incident.selection === 'failed' ? 'failed=true' : `minMs=${SLOW_MS}`;
      const { status, body } = await api.get(
        `/api/v1/analysis/differences?service=${service}&${window}&${selection}`,
      );
      if (status !== 200) throw new Error(`${incident.name}: ${status} ${JSON.stringify(body)}`);
      const answer = body as unknown as Differences;
      const named = (text: string) => text.replaceAll(backendOf(service), 'backend');
      const [top] = answer.attributes;
      results.push({
        name: incident.name,
        selection: answer.description,
        cause: incident.cause,
        top: top
          ? `\`${named(`${top.key}=${top.value}`)}\` (${pct(top.selection)} vs ${pct(top.baseline)})`
          : 'none',
        rank: causeRank(
          answer.attributes.map((d) => ({ ...d, value: named(d.value) })),
          incident.cause,
        ),
        selected: answer.selection.spans,
      });
    }
  } finally {
    await api.close();
  }
  return { results, sent, stored };
}

const pct = (share: number) => `${(share * 100).toFixed(0)}%`;

/** The incident table. */
export function incidentTable(r: { results: IncidentResult[]; sent: number; stored: number }) {
  const right = r.results.filter((x) => x.rank === 1).length;
  return [
    `### Seeded incidents: ${INCIDENTS.length} services, ${MINUTES} min through the Collector (${r.sent} spans sent, ${r.stored} stored after tail sampling), each asked about minutes ${ONSET}–${MINUTES}`,
    '',
    `Top-ranked value is the cause in **${right} of ${r.results.length}** (goal: 9 of 10).`,
    '',
    '| incident | selection (stored spans) | cause | top-ranked value (selection vs others) | rank of the cause | correct |',
    '| --- | --- | --- | --- | --- | --- |',
    ...r.results.map(
      (x) =>
        `| ${x.name} | ${x.selection} (${x.selected}) | \`${x.cause}\` | ${x.top} | ${x.rank ?? 'not listed'} | ${x.rank === 1 ? 'yes' : 'no'} |`,
    ),
  ].join('\n');
}
