import { setTimeout as sleep } from 'node:timers/promises';
import { otlpEncoder, type EncodedBatch, type Encoding } from './otlp-encoder.ts';

/**
 * Paced OTLP/HTTP load: log records and spans (traces of SPANS_PER_TRACE spans, every span
 * marked as kept by the bootstrap so the Collector's tail sampler passes them) at fixed rates.
 * Counts what the Collector acknowledged (2xx) and what it did not, so a test or benchmark can
 * compare sent, accepted and stored. Used by bench/ingest.ts and the fault tests.
 */
export const SPANS_PER_TRACE = 5;
const TICK_MS = 100;
const MAX_BATCH = 1000;
/** Requests in flight at most; a tick that finds this many waits for one (and counts late). */
const MAX_IN_FLIGHT = 16;

export interface LoadOptions {
  readonly otlpHttp: string;
  /** service.name of every record: the key the stores are counted by. */
  readonly service: string;
  readonly logsPerSecond: number;
  readonly spansPerSecond: number;
  readonly seconds: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** json (default; what Lantern's bootstrap sends) or protobuf (most other SDKs). */
  readonly encoding?: Encoding;
  /** Stops early when aborted (what was sent so far is counted). */
  readonly signal?: AbortSignal;
}

export interface LoadCounts {
  /** Records in requests the Collector answered 2xx. */
  logsAccepted: number;
  spansAccepted: number;
  /** Records in requests refused (non-2xx) or that could not be sent (connection failed). */
  logsFailed: number;
  spansFailed: number;
  /** Ticks that ended late: MAX_IN_FLIGHT requests were still running. */
  lateTicks: number;
  seconds: number;
  /** The last few acknowledged trace ids, for spot checks in Jaeger. */
  readonly sampleTraceIds: string[];
}

async function post(options: LoadOptions, path: string, batch: EncodedBatch): Promise<boolean> {
  try {
    const response = await fetch(`${options.otlpHttp}${path}`, {
      method: 'POST',
      headers: { 'content-type': batch.contentType, ...options.headers },
      body: batch.body,
      signal: AbortSignal.timeout(10_000),
    });
    await response.arrayBuffer();
    return response.ok;
  } catch {
    return false;
  }
}

/** Splits `total` into batches of at most MAX_BATCH. */
const batches = (total: number): number[] =>
  Array.from({ length: Math.ceil(total / MAX_BATCH) }, (_, i) =>
    Math.min(MAX_BATCH, total - i * MAX_BATCH),
  );

/** Sends at the given rates for `seconds` (or until aborted) and counts the answers. */
export async function generateLoad(options: LoadOptions): Promise<LoadCounts> {
  const counts: LoadCounts = {
    logsAccepted: 0,
    spansAccepted: 0,
    logsFailed: 0,
    spansFailed: 0,
    lateTicks: 0,
    seconds: 0,
    sampleTraceIds: [],
  };
  const started = performance.now();
  const ticks = Math.round((options.seconds * 1000) / TICK_MS);
  const traceRate = options.spansPerSecond / SPANS_PER_TRACE;
  let logsDue = 0;
  let tracesDue = 0;
  let sequence = 0;
  const inFlight = new Set<Promise<void>>();
  const encoder = otlpEncoder(options.encoding ?? 'json', options.service);
  const send = async (request: () => Promise<void>): Promise<void> => {
    while (inFlight.size >= MAX_IN_FLIGHT) await Promise.race(inFlight);
    const promise = request().finally(() => inFlight.delete(promise));
    inFlight.add(promise);
  };
  for (let tick = 0; tick < ticks && !options.signal?.aborted; tick += 1) {
    logsDue += (options.logsPerSecond * TICK_MS) / 1000;
    tracesDue += (traceRate * TICK_MS) / 1000;
    const logs = Math.floor(logsDue);
    const traces = Math.floor(tracesDue);
    logsDue -= logs;
    tracesDue -= traces;
    for (const size of batches(logs)) {
      const batch = encoder.logs(size, sequence);
      sequence += size;
      await send(() =>
        post(options, '/v1/logs', batch).then((ok) => {
          if (ok) counts.logsAccepted += size;
          else counts.logsFailed += size;
        }),
      );
    }
    for (const size of batches(traces)) {
      const batch = encoder.traces(size, SPANS_PER_TRACE);
      await send(() =>
        post(options, '/v1/traces', batch).then((ok) => {
          if (ok) {
            counts.spansAccepted += size * SPANS_PER_TRACE;
            counts.sampleTraceIds.push(batch.traceIds[0] ?? '');
            if (counts.sampleTraceIds.length > 20) counts.sampleTraceIds.shift();
          } else counts.spansFailed += size * SPANS_PER_TRACE;
        }),
      );
    }
    const next = started + (tick + 1) * TICK_MS;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
    else counts.lateTicks += 1;
  }
  await Promise.all(inFlight);
  counts.seconds = (performance.now() - started) / 1000;
  return counts;
}
