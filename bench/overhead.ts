/**
 * Overhead of the bootstrap against what a team would run instead: the same express app plain
 * (control), under plain OpenTelemetry, EDOT Node, dd-trace and `lantern/register`, every
 * tracer exporting to the real local Collector, and under Lantern's instrumentations recording
 * nothing (a reference: the floor any OpenTelemetry bootstrap with them starts from). Every
 * variant's app runs at once on core 0, in BENCH_COPIES processes (3) whose figures are
 * averaged, and the load moves between them in short slices (bench/interleaved.ts); this
 * process (the load generator) and the stack's servers run on the other cores. Reports max
 * throughput and CPU per request at a fixed rate, each against plain node's of the same cycle
 * (paired: the machine's drift cancels), instructions per request counted by callgrind
 * (bench/instructions.ts), p50/p99 at the fixed rate, and RSS.
 * `overhead-parts` runs Lantern with one part at a time switched off by its documented setting,
 * beside plain node and the instrumentations alone, so each part's µs per request shows.
 *   npm run bench -- overhead
 *   npm run bench -- overhead-parts
 *   BENCH_VARIANTS=plain,lantern BENCH_COPIES=1 BENCH_ROUNDS=2 BENCH_ROUTES=/hello \
 *     npm run bench -- overhead   (a quick look; BENCH_ROUNDS is the number of cycles)
 *   BENCH_ROUNDS=0 npm run bench -- overhead-parts   (instruction counts only)
 *   BENCH_COUNTS=off npm run bench -- overhead      (timed figures only)
 *   BENCH_COUNTS=off BENCH_ROUTES=/compute \
 *     BENCH_VARIANTS=floor-http,floor-http-express,floor-http-express-pino,floor \
 *     npm run bench -- overhead-parts                 (what the floor is made of)
 *   BENCH_COUNTS=off BENCH_VARIANTS=floor,lantern,logs-only,no-express,dd-trace \
 *     npm run bench -- overhead-parts                 (what one span a request costs)
 */
import {
  rssMiB,
  startApp,
  type AppOptions,
  type RunningApp,
} from '../tools/harness/instrumented-app.ts';
import type { StackSettings } from '../tools/stack/settings.ts';
import { stackUp } from '../tools/stack/stack.ts';
import { FIXED_RATE, pinAwayFromApp, stackPids, WARM_UP_REQUESTS, warmUp } from './fixed-rate.ts';
import { COUNTED, instructionsPerRequest, PACE, requireCountingTools } from './instructions.ts';
import {
  interleave,
  meanOfCopies,
  pairedDifferences,
  pairedRatios,
  rotated,
  untilQuiet,
  type Slices,
} from './interleaved.ts';
import { median, percentile, range } from './stats.ts';

// 6 s slices: with 2 s slices every app idled ~8 s between them and /hello read ~0.45 for every
// variant, ~0.6 with 6 s (why is not proven; an idle heap shrinking between slices is a guess).
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const ROUTES = (process.env.BENCH_ROUTES ?? '/compute,/hello').split(',');
const COUNTS = process.env.BENCH_COUNTS !== 'off';
/** Processes per variant, each sliced in turn; a variant's figure per cycle is their mean. */
const COPIES = Number(process.env.BENCH_COPIES ?? 3);

export type Variant = Pick<AppOptions, 'loader' | 'preload' | 'env'> & { readonly label: string };

/** Every variant exports traces, logs and metrics to the same Collector over OTLP/HTTP. */
export const variants: Record<string, Variant> = {
  plain: { label: 'control: plain node', loader: 'none' },
  floor: {
    label: 'reference: the same instrumentations, recording nothing (AlwaysOff), no export',
    loader: '--import',
    preload: './bench/fixtures/instrumentations-only.mjs',
  },
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

/** The floor with only the named instrumentations: the steps between them split the floor. */
const floorOf = (instrumentations: string): Variant => ({
  ...(variants.floor as Variant),
  label: `floor with ${instrumentations} only`,
  env: { OTEL_NODE_ENABLED_INSTRUMENTATIONS: instrumentations },
});

/**
 * No http or express instrumentation, so no span at all: what Lantern costs beyond any span
 * (the SDK, a log record per line, metrics); a bootstrap that makes spans costs more.
 */
const logsOnly = lanternWith(
  'OTEL_NODE_ENABLED_INSTRUMENTATIONS',
  'pino',
  'no span made: the SDK, the log path and metrics only',
);

/** Lantern with one part off at a time: the difference to `lantern` is that part's cost. */
const parts: Record<string, Variant> = {
  plain: variants.plain as Variant,
  'floor-http': floorOf('http'),
  'floor-http-express': floorOf('http,express'),
  'floor-http-express-pino': floorOf('http,express,pino'),
  floor: variants.floor as Variant,
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
  'logs-only': logsOnly,
  'no-express': lanternWith(
    'OTEL_NODE_DISABLED_INSTRUMENTATIONS',
    'express',
    'no express instrumentation: server spans not named by route',
  ),
  'dd-trace': variants['dd-trace'] as Variant, // the peer Lantern trails on /hello
  'three-instrumentations': lanternWith(
    'OTEL_NODE_ENABLED_INSTRUMENTATIONS',
    'http,express,pino',
    'instead of every default',
  ),
};

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
  nodeFlags: readonly string[] = [],
): Promise<RunningApp> => startApp({ ...appOf(variant, service, otlp), cores: '0', nodeFlags });

/** The variants BENCH_VARIANTS names (else `defaults`, else all); plain node always runs. */
export function chosen(
  all: Record<string, Variant>,
  defaults?: readonly string[],
): [string, Variant][] {
  const wanted = process.env.BENCH_VARIANTS?.split(',') ?? defaults;
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
export const overhead = (settings: StackSettings): Promise<string> =>
  compare(settings, 'Bootstrap overhead against its peers', variants);

/** Lantern's parts, each switched off in turn. */
export const overheadParts = (settings: StackSettings): Promise<string> =>
  compare(settings, "Where Lantern's overhead goes: one part off at a time", parts);

const middleHalf = (values: readonly number[], digits: number): string =>
  `${percentile(values, 25).toFixed(digits)}–${percentile(values, 75).toFixed(digits)}`;

/**
 * The fixed rate for CPU per request: FIXED_RATE, or half what plain node served flat out in
 * its warm-up when that is less. Near an app's capacity requests queue and the rate is no
 * longer fixed; on a slow morning plain node served 340 `/compute` requests a second (860 on the
 * day the issue was filed), and 300 req/s would have held every variant at its limit.
 */
export const fixedRate = (plainFlatOutRps: number): number =>
  Math.min(FIXED_RATE, Math.max(10, Math.floor(plainFlatOutRps / 20) * 10));

/** The timed figures of every variant on one route, all apps running at once. */
async function timedFigures(
  settings: StackSettings,
  run: readonly [string, Variant][],
  path: string,
  otlp: string,
): Promise<{ slices: Map<string, Slices>; rate: number; rss: Map<string, number> }> {
  const stack = stackPids(settings);
  await untilQuiet(stack);
  const started: { name: string; app: RunningApp }[] = [];
  try {
    // Copy c of every variant starts in an order rotated by c, so no variant always starts
    // first (in one run the first-started of three plain node processes served the most).
    for (let copy = 0; copy < COPIES; copy += 1)
      for (const [name, variant] of rotated(run, copy))
        started.push({ name, app: await startVariant(variant, 'bench-overhead', otlp) });
    const apps = started.map(({ name, app }, i) => ({
      name: `${name} #${String(i)}`,
      variant: name,
      pid: app.child.pid ?? 0,
      url: `${app.url}${path}`,
    }));
    const warm = new Map<string, number>();
    for (const app of apps) warm.set(app.name, (await warmUp(app.url)).flatOutRps);
    const plainWarm = apps
      .filter((app) => app.variant === 'plain')
      .map((app) => warm.get(app.name) ?? 0);
    const rate = fixedRate(plainWarm.length > 0 ? median(plainWarm) : FIXED_RATE * 2);
    const sliced = await interleave(apps, {
      cycles: ROUNDS,
      seconds: SECONDS,
      rate,
      stackPids: stack,
    });
    const copiesOf = (name: string) => apps.filter((app) => app.variant === name);
    const slices = new Map(
      run.map(([name]) => [
        name,
        meanOfCopies(copiesOf(name).flatMap((app) => sliced.get(app.name) ?? [])),
      ]),
    );
    const rss = new Map(
      run.map(([name]) => [name, median(copiesOf(name).map((app) => rssMiB(app.pid)))]),
    );
    return { slices, rate, rss };
  } finally {
    // SIGKILL: plain OpenTelemetry's register handles SIGTERM by flushing and never exits.
    await Promise.all(started.map(({ app }) => app.stop('SIGKILL')));
  }
}

/** Instructions per request of every variant; two are counted at once, which halves the time. */
async function counts(
  run: readonly [string, Variant][],
  path: string,
  otlp: string,
): Promise<Map<string, number>> {
  // A count still moved by up to 13% between runs (plain node on /hello: 645k and 730k): how
  // requests bunch into event loop turns depends on how busy the machine is.
  const instructions = new Map<string, number>();
  for (let i = 0; COUNTS && i < run.length; i += 2) {
    await Promise.all(
      run.slice(i, i + 2).map(async ([name, variant]) => {
        const app = appOf(variant, 'bench-instructions', otlp);
        instructions.set(name, await instructionsPerRequest(app, path));
      }),
    );
  }
  return instructions;
}

/** How often Lantern's figure beat each peer's in the same cycle. */
function cycleByCycle(path: string, slices: Map<string, Slices>): string[] {
  const lantern = slices.get('lantern');
  if (!lantern) return [];
  const wins = (ours: readonly number[], theirs: readonly number[], better: 'lower' | 'higher') =>
    ours.filter((value, k) => {
      const other = theirs[k];
      return other !== undefined && (better === 'lower' ? value < other : value > other);
    }).length;
  return [...slices]
    .filter(([name]) => !['lantern', 'plain', 'floor'].includes(name))
    .map(
      ([name, peer]) =>
        `- ${path}, Lantern against ${name}, cycle by cycle: less CPU per request in ${String(wins(lantern.cpuUsPerRequest, peer.cpuUsPerRequest, 'lower'))} of ${String(lantern.cpuUsPerRequest.length)}, more requests a second flat out in ${String(wins(lantern.maxRps, peer.maxRps, 'higher'))} of ${String(lantern.maxRps.length)}.`,
    );
}

async function compare(
  settings: StackSettings,
  title: string,
  all: Record<string, Variant>,
): Promise<string> {
  if (COUNTS) await requireCountingTools();
  const { otlpHttp } = await stackUp(settings);
  const run = chosen(all);
  const lines = [
    `### ${title} (every app at once on core 0, ${String(COPIES)} copies of each, load and stack on the others; ${String(ROUNDS)} cycles of ${String(SECONDS)} s per app at a fixed rate (${String(FIXED_RATE)} req/s, or half of what plain node serves flat out if less), then ${String(ROUNDS)} flat out, after ${String(WARM_UP_REQUESTS)} requests warm; a variant's figure per cycle the mean over its copies; ratio and + µs against plain node in the same cycle, median and middle half of the cycles; instructions counted by callgrind over ${String(COUNTED)} requests at ${String(PACE)} req/s on a clock slowed to match, timer work included)`,
    '',
    '| route | variant | max req/s (median, min–max) | ratio (median; middle half) | k instructions/req | + k instr/req | CPU µs/req (median, min–max) | + µs/req (median; middle half) | p50 ms | p99 ms | core 0 busy flat out | RSS MiB |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
  ];
  const notes: string[] = [];
  const unpin = pinAwayFromApp(settings);
  try {
    for (const path of ROUTES) {
      const timed =
        ROUNDS > 0
          ? await timedFigures(settings, run, path, otlpHttp)
          : { slices: new Map<string, Slices>(), rate: 0, rss: new Map<string, number>() };
      const instructions = await counts(run, path, otlpHttp);
      const control = timed.slices.get('plain');
      const baseInstructions = instructions.get('plain') ?? 0;
      for (const [name] of run) {
        const counted = instructions.get(name);
        const countCells =
          counted === undefined
            ? '– | –'
            : `${counted.toFixed(0)} | ${(counted - baseInstructions).toFixed(0)}`;
        const own = timed.slices.get(name);
        let cells = `– | – | ${countCells} | – | – | – | – | – | –`;
        if (own && control) {
          const ratios = pairedRatios(own.maxRps, control.maxRps);
          const added = pairedDifferences(own.cpuUsPerRequest, control.cpuUsPerRequest);
          const rps = own.maxRps;
          const cpu = own.cpuUsPerRequest;
          cells = `${median(rps).toFixed(0)} (${range(rps)}) | ${median(ratios).toFixed(3)} (${middleHalf(ratios, 3)}) | ${countCells} | ${median(cpu).toFixed(0)} (${range(cpu)}) | ${median(added).toFixed(0)} (${middleHalf(added, 0)}) | ${median(own.p50).toFixed(1)} | ${median(own.p99).toFixed(1)} | ${median(own.busy).toFixed(2)} | ${(timed.rss.get(name) ?? 0).toFixed(1)}`;
        }
        lines.push(`| ${path} | ${all[name]?.label ?? name} | ${cells} |`);
      }
      if (timed.rate > 0) notes.push(`- ${path}: CPU and latency at ${String(timed.rate)} req/s.`);
      notes.push(...cycleByCycle(path, timed.slices));
    }
  } finally {
    unpin();
  }
  return [...lines, ...(notes.length > 0 ? ['', ...notes] : [])].join('\n');
}
