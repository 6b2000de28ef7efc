/**
 * Ingest throughput of the whole pipeline: log records and spans at stepped rates over
 * OTLP/HTTP into the real Collector, then Elasticsearch, which Jaeger reads through Lantern's
 * trace storage. At each step: sent vs acknowledged by the Collector vs stored (Elasticsearch
 * _count per service; a spot check of whole traces through Jaeger's API), the Collector's CPU
 * per record, and CPU/RSS of every process. Control: the same generator against a sink that only reads the requests,
 * which shows the generator itself keeps up.
 *   npm run bench -- ingest
 */
import { createServer, type Server } from 'node:http';
import { runningPid } from '../tools/stack/daemon.ts';
import type { StackSettings } from '../tools/stack/settings.ts';
import { stackUp } from '../tools/stack/stack.ts';
import { createElasticsearchClient } from '../src/storage/client.ts';
import {
  settledCount,
  watchProcesses,
  type ProcessUsage,
} from '../tools/harness/pipeline-counts.ts';
import type { Encoding } from '../tools/harness/otlp-encoder.ts';
import { setTimeout as sleep } from 'node:timers/promises';
import { generateLoad, SPANS_PER_TRACE, type LoadCounts } from '../tools/harness/telemetry-load.ts';

const STEPS = (process.env.BENCH_INGEST_STEPS ?? '1000,5000,10000,20000').split(',').map(Number);
const STEP_SECONDS = Number(process.env.BENCH_INGEST_STEP_SECONDS ?? 10);
const SUSTAIN_RATE = Number(process.env.BENCH_INGEST_SUSTAIN_RATE ?? 10_000);
const SUSTAIN_SECONDS = Number(process.env.BENCH_INGEST_SUSTAIN_SECONDS ?? 60);
const ENCODINGS: readonly Encoding[] = ['protobuf', 'json'];

interface StepResult {
  readonly encoding: Encoding;
  readonly label: string;
  readonly rate: number;
  readonly load: LoadCounts;
  readonly storedLogs: number;
  readonly storedSpans: number;
  readonly jaegerWhole: number;
  readonly usage: Record<string, ProcessUsage>;
}

async function nullSink(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    server,
  };
}

/**
 * How many of the sampled traces (the last ones acknowledged) Jaeger serves whole. Asked once
 * the spans are counted in Elasticsearch; each gets up to 30 s in all before it counts as not whole.
 */
async function wholeInJaeger(jaeger: string, traceIds: readonly string[]): Promise<number> {
  const deadline = Date.now() + 30_000;
  let whole = 0;
  for (const traceId of traceIds) {
    for (;;) {
      const body = (await (await fetch(`${jaeger}/api/traces/${traceId}`)).json()) as {
        data?: { spans: unknown[] }[];
      };
      if (body.data?.[0]?.spans.length === SPANS_PER_TRACE) {
        whole += 1;
        break;
      }
      if (Date.now() > deadline) break;
      await sleep(1000);
    }
  }
  return whole;
}

export async function ingest(settings: StackSettings): Promise<string> {
  const e = await stackUp(settings);
  const es = createElasticsearchClient({ url: e.elasticsearch, requestTimeoutMs: 30_000 });
  const run = Date.now().toString(36);
  const pids = Object.fromEntries(
    ['collector', 'elasticsearch', 'jaeger', 'jaeger-storage'].map((name) => [
      name,
      runningPid(settings.paths, name) ?? 0,
    ]),
  );

  const control = await nullSink();
  const controlRate = new Map<Encoding, number>();
  for (const encoding of ENCODINGS) {
    const load = await generateLoad({
      otlpHttp: control.url,
      service: 'control',
      logsPerSecond: Math.max(...STEPS),
      spansPerSecond: Math.max(...STEPS),
      seconds: STEP_SECONDS,
      encoding,
    });
    controlRate.set(encoding, load.logsAccepted / load.seconds);
  }
  control.server.close();

  async function step(
    encoding: Encoding,
    label: string,
    rate: number,
    seconds: number,
  ): Promise<StepResult> {
    const service = `ingest-${run}-${encoding}-${label}`;
    const watch = watchProcesses(pids);
    const load = await generateLoad({
      otlpHttp: e.otlpHttp,
      service,
      logsPerSecond: rate,
      spansPerSecond: rate,
      seconds,
      encoding,
    });
    const [storedLogs, storedSpans] = await Promise.all([
      settledCount(es, 'logs', service, load.logsAccepted),
      settledCount(es, 'spans', service, load.spansAccepted),
    ]);
    const usage = watch.stop();
    const jaegerWhole = await wholeInJaeger(e.jaeger, load.sampleTraceIds);
    const result = {
      encoding,
      label,
      rate,
      load,
      storedLogs,
      storedSpans,
      jaegerWhole,
      usage,
    };
    console.error(
      `[bench] ingest ${label}: ${JSON.stringify({ ...result, usage: undefined, load: { ...load, sampleTraceIds: undefined } })}`,
    );
    return result;
  }

  const results: StepResult[] = [];
  const sustained = new Map<Encoding, StepResult>();
  for (const encoding of ENCODINGS) {
    for (const rate of STEPS) results.push(await step(encoding, `${rate}`, rate, STEP_SECONDS));
    sustained.set(
      encoding,
      await step(encoding, `sustained ${SUSTAIN_RATE}`, SUSTAIN_RATE, SUSTAIN_SECONDS),
    );
  }
  await es.close();

  /** Everything acknowledged was stored (a refused or timed-out request is the sender's to retry). */
  const nothingLost = (r: StepResult): boolean =>
    r.storedLogs >= r.load.logsAccepted &&
    r.storedSpans >= r.load.spansAccepted &&
    r.jaegerWhole === r.load.sampleTraceIds.length;
  const notAcked = (r: StepResult): number => r.load.logsFailed + r.load.spansFailed;
  const lossless = (r: StepResult): boolean => nothingLost(r) && notAcked(r) === 0;
  const achieved = (r: StepResult, n: number): number => n / r.load.seconds;
  const best = (encoding: Encoding): string => {
    const found = results
      .filter((r) => r.encoding === encoding)
      .filter((r) => lossless(r) && achieved(r, r.load.logsAccepted) >= 0.95 * r.rate)
      .at(-1);
    return found ? `${found.rate} logs/s + ${found.rate} spans/s` : 'none';
  };

  const usage = (u: ProcessUsage | undefined): string =>
    u ? `${u.cpuPercent.toFixed(0)}% / ${u.peakRssMiB.toFixed(0)}` : '-';
  const lines = [
    `### Ingest throughput (${STEP_SECONDS} s per step, then ${SUSTAIN_SECONDS} s at ${SUSTAIN_RATE}/s; logs and spans at the same rate each; ${SPANS_PER_TRACE} spans per trace)`,
    '',
    `Control: the generator alone, against a sink that only reads requests, sent ${ENCODINGS.map((enc) => `${(controlRate.get(enc) ?? 0).toFixed(0)}/s each (${enc})`).join(', ')} when asked for ${Math.max(...STEPS)}/s each. OTLP/HTTP JSON is what Lantern's bootstrap sends; protobuf is the default of most other SDKs.`,
    '',
    '| encoding | step (per s, each) | logs sent/s | logs acked → stored in ES | spans sent/s | spans acked → stored in ES | whole traces in Jaeger (spot check) | not acked (refused or timed out) | lost (acked, not stored) | Collector CPU µs per record | CPU % / peak RSS MiB: collector, elasticsearch, jaeger, jaeger-storage |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const r of [...results, ...sustained.values()]) {
    // Lost: acknowledged but not stored. A request the generator gave up on (10 s timeout)
    // may still have been stored, so stored can exceed acknowledged: at least once.
    const lost =
      Math.max(0, r.load.logsAccepted - r.storedLogs) +
      Math.max(0, r.load.spansAccepted - r.storedSpans);
    const refused = notAcked(r);
    const records = r.load.logsAccepted + r.load.spansAccepted;
    const perRecord = ((r.usage.collector?.cpuSeconds ?? 0) * 1e6) / Math.max(1, records);
    lines.push(
      `| ${r.encoding} | ${r.label} | ${achieved(r, r.load.logsAccepted + r.load.logsFailed).toFixed(0)} | ${r.load.logsAccepted} → ${r.storedLogs} | ${achieved(r, r.load.spansAccepted + r.load.spansFailed).toFixed(0)} | ${r.load.spansAccepted} → ${r.storedSpans} | ${r.jaegerWhole}/${r.load.sampleTraceIds.length} | ${refused} | ${lost} | ${perRecord.toFixed(1)} | ${usage(r.usage.collector)}, ${usage(r.usage.elasticsearch)}, ${usage(r.usage.jaeger)}, ${usage(r.usage['jaeger-storage'])} |`,
    );
  }
  lines.push('');
  for (const [encoding, r] of sustained) {
    lines.push(
      `${encoding}: highest step with zero loss at >= 95% of the asked rate: ${best(encoding)}. Sustained ${SUSTAIN_SECONDS} s at ${SUSTAIN_RATE}/s each: ${nothingLost(r) ? 'nothing acknowledged lost' : 'LOSS: acknowledged records missing (see row)'}${notAcked(r) > 0 ? ` (${notAcked(r)} records not acknowledged: refused or timed out)` : ''}, achieved ${achieved(r, r.load.logsAccepted).toFixed(0)} logs/s and ${achieved(r, r.load.spansAccepted).toFixed(0)} spans/s (goal 10,000 each).`,
      '',
    );
  }
  return lines.join('\n');
}
