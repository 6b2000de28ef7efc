/**
 * Overhead of the bootstrap against what a team would run instead: the same express app plain
 * (control), under plain OpenTelemetry, EDOT Node, dd-trace and `lantern/register`, every
 * tracer exporting to the real local Collector, interleaved round by round. The app runs on
 * core 0; this process (the load generator) and the stack's servers on the other cores.
 * Reports max throughput (ratio of medians), instructions per request counted by callgrind
 * (the primary cost figure: it does not move with the machine's speed, bench/instructions.ts),
 * CPU per request at a fixed rate, p50/p99 at that rate, and RSS.
 * `overhead-parts` runs Lantern with one part at a time switched off by its documented setting,
 * beside plain node and the instrumentations alone, so each part's µs per request shows.
 *   npm run bench -- overhead
 *   npm run bench -- overhead-parts
 *   BENCH_VARIANTS=plain,lantern BENCH_ROUNDS=1 BENCH_ROUTES=/hello npm run bench -- overhead
 *   (a quick look)
 *   BENCH_ROUNDS=0 npm run bench -- overhead-parts   (instruction counts only)
 */
import autocannon from 'autocannon';
import {
  rssMiB,
  startApp,
  type AppOptions,
  type RunningApp,
} from '../tools/harness/instrumented-app.ts';
import { loadStackSettings } from '../tools/stack/settings.ts';
import { stackUp } from '../tools/stack/stack.ts';
import {
  cpuAtFixedRate,
  FIXED_RATE,
  pinAwayFromApp,
  stackPids,
  WARM_UP_REQUESTS,
} from './fixed-rate.ts';
import { COUNTED, instructionsPerRequest, PACE, requireCountingTools } from './instructions.ts';
import { cpuSeconds } from './process-cpu.ts';
import { median, range } from './stats.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const ROUTES = (process.env.BENCH_ROUTES ?? '/compute,/hello').split(',');

/** Quiet: the stack's servers together under this share of one core. */
const QUIET_SHARE = 0.2;

/**
 * Waits (at most 30 s) until the stack's servers are quiet for 0.5 s. Elasticsearch still
 * indexing what the previous peer exported flat out (every span and log) slows the load
 * generator on the shared core.
 */
async function untilStackIsQuiet(): Promise<void> {
  const pids = stackPids();
  const used = (): number => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const deadline = Date.now() + 30_000;
  let before = used();
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const now = used();
    if (now - before < 0.5 * QUIET_SHARE) return;
    before = now;
  }
}

export type Variant = Pick<AppOptions, 'loader' | 'preload' | 'env'> & { readonly label: string };

/** Every variant exports traces, logs and metrics to the same Collector over OTLP/HTTP. */
export const variants: Record<string, Variant> = {
  plain: { label: 'control: plain node', loader: 'none' },
  opentelemetry: {
    label: 'OpenTelemetry auto-instrumentations, AlwaysOn, every span and log (http/protobuf)',
    loader: '--import',
    preload: './bench/fixtures/opentelemetry-register.mjs',
    env: {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_LOGS_EXPORTER: 'otlp',
      OTEL_METRICS_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    },
  },
  edot: {
    label: 'EDOT Node (@elastic/opentelemetry-node)',
    loader: '--import',
    preload: '@elastic/opentelemetry-node',
  },
  'dd-trace': {
    label: 'dd-trace, no agent',
    loader: '--import',
    preload: 'dd-trace/initialize.mjs',
    env: { DD_TRACE_STARTUP_LOGS: 'false' },
  },
  lantern: { label: 'lantern/register', loader: '--import' },
};

/** Lantern with one documented setting changed. */
function lanternWith(variable: string, value: string, what: string): Variant {
  return {
    label: `lantern, ${variable}=${value} (${what})`,
    loader: '--import',
    env: { [variable]: value },
  };
}

/** Lantern with one part off at a time: the difference to `lantern` is that part's cost. */
const parts: Record<string, Variant> = {
  plain: variants.plain as Variant,
  floor: {
    label: 'floor: the same instrumentations, recording nothing (AlwaysOff), no export',
    loader: '--import',
    preload: './bench/fixtures/instrumentations-only.mjs',
  },
  lantern: variants.lantern as Variant,
  'no-logs': lanternWith('OTEL_LOGS_EXPORTER', 'none', 'no log records'),
  'no-pino': lanternWith(
    'OTEL_NODE_DISABLED_INSTRUMENTATIONS',
    'pino',
    'no log records and no trace ids in log lines',
  ),
  'no-metrics': lanternWith('OTEL_METRICS_EXPORTER', 'none', 'no metrics'),
  'no-traces': lanternWith('OTEL_TRACES_EXPORTER', 'none', 'no span recorded, sampled or sent'),
  protobuf: lanternWith('OTEL_EXPORTER_OTLP_PROTOCOL', 'http/protobuf', 'instead of JSON'),
  handlers: lanternWith(
    'LANTERN_EXPRESS_LAYERS',
    'handlers',
    'a span per route handler, the default before',
  ),
  'three-instrumentations': lanternWith(
    'OTEL_NODE_ENABLED_INSTRUMENTATIONS',
    'http,express,pino',
    'instead of every default',
  ),
};

interface Sample {
  readonly maxRps: number;
  readonly cpuUsPerRequest: number;
  readonly p50: number;
  readonly p99: number;
  readonly rss: number;
}

const load = (url: string, options: Partial<autocannon.Options> = {}): Promise<autocannon.Result> =>
  autocannon({ url, connections: 16, duration: SECONDS, ...options });

/** How the benchmark app starts under a variant, exporting to `otlp`. */
const appOf = (variant: Variant, service: string, otlp: string) =>
  ({
    loader: variant.loader,
    ...(variant.preload !== undefined && { preload: variant.preload }),
    script: 'bench/fixtures/app.mjs',
    service,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp, ...variant.env },
  }) satisfies AppOptions;

/** The benchmark app on core 0 under a variant, exporting to `otlp`. */
export const startVariant = (
  variant: Variant,
  service: string,
  otlp: string,
): Promise<RunningApp> => startApp({ ...appOf(variant, service, otlp), cores: '0' });

async function measure(variant: Variant, path: string, otlp: string): Promise<Sample> {
  await untilStackIsQuiet();
  const app = await startVariant(variant, 'bench-overhead', otlp);
  const pid = app.child.pid ?? 0;
  const url = `${app.url}${path}`;
  const fixed = await cpuAtFixedRate(pid, url, SECONDS);
  const max = await load(url); // last: its export backlog must not land in the CPU figure
  const sample = {
    maxRps: max.requests.average,
    cpuUsPerRequest: fixed.cpuUsPerRequest,
    p50: fixed.result.latency.p50,
    p99: fixed.result.latency.p99,
    rss: rssMiB(pid),
  };
  // SIGKILL: plain OpenTelemetry's register handles SIGTERM by flushing and never exits.
  await app.stop('SIGKILL');
  return sample;
}

function chosen(all: Record<string, Variant>): [string, Variant][] {
  const wanted = process.env.BENCH_VARIANTS?.split(',');
  const unknown = wanted?.filter((name) => !(name in all)) ?? [];
  if (unknown.length > 0)
    throw new Error(
      `BENCH_VARIANTS: unknown ${unknown.join(', ')}; choose from ${Object.keys(all).join(', ')}`,
    );
  return Object.entries(all).filter(
    ([name]) => name === 'plain' || !wanted || wanted.includes(name),
  );
}

/** Lantern against plain node and the peers a team would pick instead. */
export const overhead = (): Promise<string> =>
  compare('Bootstrap overhead against its peers', variants);

/** Lantern's parts, each switched off in turn. */
export const overheadParts = (): Promise<string> =>
  compare("Where Lantern's overhead goes: one part off at a time", parts);

async function compare(title: string, all: Record<string, Variant>): Promise<string> {
  await requireCountingTools();
  const { otlpHttp } = await stackUp(loadStackSettings());
  const run = chosen(all);
  const lines = [
    `### ${title} (${ROUNDS} interleaved rounds × ${SECONDS} s; app on core 0, load and stack on the others; every figure after ${WARM_UP_REQUESTS} requests warm; CPU and latency at a fixed ${FIXED_RATE} req/s; instructions counted by callgrind over ${COUNTED} requests at ${PACE} req/s on a clock slowed to match, timer work included)`,
    '',
    '| route | variant | max req/s (median, min–max) | ratio | k instructions/req | + k instr/req | CPU µs/req (median, min–max) | + µs/req | p50 ms | p99 ms | RSS MiB |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const unpin = pinAwayFromApp();
  try {
    for (const path of ROUTES) {
      const byVariant = new Map<string, Sample[]>();
      for (let round = 0; round < ROUNDS; round += 1) {
        for (const [name, variant] of run) {
          const sample = await measure(variant, path, otlpHttp);
          byVariant.set(name, [...(byVariant.get(name) ?? []), sample]);
        }
      }
      // Two variants are counted at once, which halves the time. A count still moved by up to
      // 13% between runs (plain node on /hello: 645k and 730k): how requests bunch into event
      // loop turns depends on how busy the machine is.
      const instructions = new Map<string, number>();
      for (let i = 0; i < run.length; i += 2) {
        await Promise.all(
          run.slice(i, i + 2).map(async ([name, variant]) => {
            const app = appOf(variant, 'bench-instructions', otlpHttp);
            instructions.set(name, await instructionsPerRequest(app, path));
          }),
        );
      }
      const plain = byVariant.get('plain') ?? [];
      const baseRps = median(plain.map((s) => s.maxRps));
      const baseCpu = median(plain.map((s) => s.cpuUsPerRequest));
      /** The timed figures around the counts; none with BENCH_ROUNDS=0 (counts only). */
      const timed = (samples: Sample[], counts: string): string => {
        if (samples.length === 0) return `– | – | ${counts} | – | – | – | – | –`;
        const rps = samples.map((s) => s.maxRps);
        const cpu = samples.map((s) => s.cpuUsPerRequest);
        const of = (pick: (s: Sample) => number) => median(samples.map(pick)).toFixed(1);
        return `${median(rps).toFixed(0)} (${range(rps)}) | ${(median(rps) / baseRps).toFixed(3)} | ${counts} | ${median(cpu).toFixed(0)} (${range(cpu)}) | ${(median(cpu) - baseCpu).toFixed(0)} | ${of((s) => s.p50)} | ${of((s) => s.p99)} | ${of((s) => s.rss)}`;
      };
      const baseInstructions = instructions.get('plain') ?? 0;
      for (const [name] of run) {
        const samples = byVariant.get(name) ?? [];
        const counted = instructions.get(name) ?? 0;
        const counts = `${counted.toFixed(0)} | ${(counted - baseInstructions).toFixed(0)}`;
        lines.push(`| ${path} | ${all[name]?.label ?? name} | ${timed(samples, counts)} |`);
      }
    }
  } finally {
    unpin();
  }
  return lines.join('\n');
}
