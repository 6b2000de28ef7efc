/**
 * Where each bootstrap's CPU goes, by component: the benchmark app on `/compute` under plain
 * node, the floor, dd-trace and `lantern/register` (BENCH_VARIANTS picks others), sampled by
 * Linux perf at the overhead benchmark's fixed rate, every app at once on core 0, the rounds
 * interleaved. perf sees what V8's own profiler does not: every thread (GC and compiler
 * helpers), V8's native code (JSON.parse, inline-cache misses) and the kernel (page faults).
 * JIT-compiled functions are named through node's `--perf-basic-prof-only-functions`.
 *
 * Each sample is charged to the innermost JavaScript frame that belongs to a component, so the
 * native work under a frame (and Node's own internals it calls) goes with it; a sample with no
 * such frame is the garbage collector, the JIT compiler, or the rest of node (libuv, the HTTP
 * parser, the kernel under them).
 *   npm run bench -- profile
 *   BENCH_ROUNDS=3 BENCH_SECONDS=15 BENCH_VARIANTS=floor,lantern npm run bench -- profile
 */
import { spawn, execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RunningApp } from '../tools/harness/instrumented-app.ts';
import { debianExecutable } from '../tools/stack/debian-package.ts';
import type { StackSettings } from '../tools/stack/settings.ts';
import { stackUp } from '../tools/stack/stack.ts';
import { atFixedRate, pinAwayFromApp, warmUp } from './fixed-rate.ts';
import { rotated } from './interleaved.ts';
import { threadCpuSeconds } from './process-cpu.ts';
import { chosen, fixedRate, startVariant, variants } from './overhead.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const ROUTE = '/compute';
const DEFAULT_VARIANTS = ['floor', 'dd-trace', 'lantern'];

/**
 * The app's own work, the 1 ms loop included: it is the same in every variant, so how it moves
 * between slices is the machine's speed drifting (2,082–2,498 µs per request for plain node in
 * three runs). The table also gives every variant's total without it, which moved far less
 * (dd-trace 795 µs in all three).
 */
const PLAIN_WORK = 'app, express, pino (plain work)';

/** Components, first match wins, tested against a JavaScript frame's file. */
const components: [string, RegExp][] = [
  ['Lantern: sampler (head and tail)', /dist\/tracing\/sampler\//],
  ['Lantern: the rest of the bootstrap', /dist\/tracing\//],
  ['http instrumentation', /@opentelemetry\/instrumentation-http\//],
  ['express instrumentation', /@opentelemetry\/instrumentation-express\//],
  [
    'log path (pino instrumentation, SDK log records)',
    /@opentelemetry\/(instrumentation-pino|sdk-logs|api-logs)\//,
  ],
  [
    'metrics (SDK, runtime instrumentation)',
    /@opentelemetry\/(sdk-metrics|instrumentation-runtime-node|exporter-metrics)/,
  ],
  ['export (OTLP encoding, HTTP sending)', /@opentelemetry\/(otlp-|exporter-)|protobufjs/],
  [
    'span recording and context',
    /@opentelemetry\/(sdk-trace|core|api|context-async-hooks|instrumentation|resources)\//,
  ],
  ['other OpenTelemetry instrumentation', /@opentelemetry\//],
  ['dd-trace', /node_modules\/(dd-trace|@datadog)\//],
  [PLAIN_WORK, /node_modules\/|bench\/fixtures\//],
];

const NODE_REST = 'node: libuv, HTTP parser, kernel, internals';

/** A frame of `perf script -F ip,sym,dso`: `  7f3a… JS:*name file:///…/x.mjs:1:2 (/tmp/perf-1.map)`. */
function componentOfFrame(frame: string): string | undefined {
  const js = /JS:\S*\s+(?:\S+\s+)?((?:file:\/\/)?\/\S+|node:\S+)/.exec(frame);
  if (!js?.[1] || js[1].startsWith('node:')) return undefined;
  return components.find(([, pattern]) => pattern.test(js[1] ?? ''))?.[0];
}

/** The component a sample's call chain (innermost frame first) is charged to. */
export function componentOfChain(frames: readonly string[]): string {
  for (const frame of frames) {
    const found = componentOfFrame(frame);
    if (found) return found;
  }
  const chain = frames.join('\n');
  if (/Scaveng|Marking|Sweeper|MarkCompact|Heap::|GCTracer|MemoryReducer/.test(chain))
    return 'garbage collector';
  if (/compiler::|Compile|Maglev|turboshaft|Baseline/.test(chain)) return 'JIT compiler';
  return NODE_REST;
}

/** CPU ns per component in a `perf script -F tid,period,ip,sym,dso` listing. */
export function chargeByComponent(listing: string): Map<string, number> {
  const charged = new Map<string, number>();
  for (const sample of listing.split('\n\n')) {
    const [head, ...frames] = sample.split('\n').filter((line) => line.trim() !== '');
    const period = Number(head?.trim().split(/\s+/)[1]);
    if (!Number.isFinite(period) || frames.length === 0) continue;
    const component = componentOfChain(frames);
    charged.set(component, (charged.get(component) ?? 0) + period);
  }
  return charged;
}

/** The kernel's count of the app's CPU, beside perf's samples, so the sampled total can be checked. */
const COUNTER = 'CPU counter (schedstat, all threads)';

/**
 * SECONDS at `rate` on one app, sampled by perf; CPU µs per request by component, and under
 * COUNTER what the kernel counted over the same window.
 */
async function profileSlice(
  perf: string,
  dir: string,
  app: RunningApp,
  rate: number,
): Promise<Map<string, number>> {
  const pid = app.child.pid ?? 0;
  const data = join(dir, `${String(pid)}.data`);
  const args = ['record', '-q', '-e', 'cpu-clock', '-F', '1000', '-g', '-p', String(pid)];
  const recorder = spawn(perf, [...args, '-o', data], { stdio: ['ignore', 'ignore', 'pipe'] });
  let complaint = '';
  recorder.stderr.on('data', (chunk: Buffer) => (complaint += chunk.toString()));
  const recorded = new Promise((resolve) => recorder.once('exit', resolve));
  const before = threadCpuSeconds(pid);
  const run = await atFixedRate(`${app.url}${ROUTE}`, SECONDS, rate);
  const counted = threadCpuSeconds(pid) - before;
  recorder.kill('SIGINT');
  await recorded;
  if (!existsSync(data))
    throw new Error(`perf record wrote no samples of pid ${String(pid)}: ${complaint.trim()}`);
  const listing = execFileSync(perf, ['script', '-i', data, '-F', 'tid,period,ip,sym,dso'], {
    encoding: 'utf8',
    maxBuffer: 1 << 30,
  });
  const requests = Math.max(1, run.requests.total);
  return new Map([
    ...[...chargeByComponent(listing)].map(([component, ns]): [string, number] => [
      component,
      ns / 1000 / requests,
    ]),
    [COUNTER, (counted * 1e6) / requests],
  ]);
}

export async function cpuProfile(settings: StackSettings): Promise<string> {
  const perf = await debianExecutable('perf', 'linux-perf');
  const { otlpHttp } = await stackUp(settings);
  const run = chosen(variants, DEFAULT_VARIANTS);
  const dir = mkdtempSync(join(tmpdir(), 'lantern-profile-'));
  const apps: [string, RunningApp][] = [];
  const unpin = pinAwayFromApp(settings);
  const totals = new Map<string, Map<string, number>>(run.map(([name]) => [name, new Map()]));
  let rate = 0;
  try {
    for (const [name, variant] of run)
      apps.push([
        name,
        await startVariant(variant, 'bench-profile', otlpHttp, [
          '--perf-basic-prof-only-functions',
        ]),
      ]);
    for (const [name, app] of apps) {
      const { flatOutRps } = await warmUp(`${app.url}${ROUTE}`);
      if (name === 'plain') rate = fixedRate(flatOutRps);
    }
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const [name, app] of rotated(apps, round)) {
        const total = totals.get(name) ?? new Map<string, number>();
        for (const [component, us] of await profileSlice(perf, dir, app, rate))
          total.set(component, (total.get(component) ?? 0) + us / ROUNDS);
      }
    }
  } finally {
    unpin();
    await Promise.all(apps.map(([, app]) => app.stop('SIGKILL')));
    for (const [, app] of apps) rmSync(`/tmp/perf-${String(app.child.pid)}.map`, { force: true });
    rmSync(dir, { recursive: true, force: true });
  }
  return report(run, totals, rate);
}

function report(
  run: readonly [string, unknown][],
  totals: ReadonlyMap<string, ReadonlyMap<string, number>>,
  rate: number,
): string {
  const names = run.map(([name]) => name);
  const us = (name: string, component: string): number => totals.get(name)?.get(component) ?? 0;
  const sum = (name: string): number =>
    [...(totals.get(name) ?? [])]
      .filter(([component]) => component !== COUNTER)
      .reduce((total, [, value]) => total + value, 0);
  const components = names.flatMap((name) => [...(totals.get(name)?.keys() ?? [])]);
  const rows = [...new Set(components)]
    .filter((component) => component !== COUNTER)
    .sort((a, b) => us('lantern', b) - us('lantern', a));
  const overFloor = names.includes('floor') && names.includes('lantern');
  const row = (label: string, value: (name: string) => number): string => {
    const cells = names.map((name) => value(name).toFixed(0));
    if (overFloor) cells.push((value('lantern') - value('floor')).toFixed(0));
    return `| ${label} | ${cells.join(' | ')} |`;
  };
  return [
    `### Where the CPU goes on ${ROUTE}, by component (Linux perf, every thread, µs per request; ${String(rate)} req/s, ${String(ROUNDS)} interleaved rounds × ${String(SECONDS)} s per variant, mean)`,
    '',
    `| component | ${names.join(' | ')} |${overFloor ? ' Lantern − floor |' : ''}`,
    `| --- |${names.map(() => ' --- |').join('')}${overFloor ? ' --- |' : ''}`,
    ...rows.map((component) => row(component, (name) => us(name, component))),
    row('**all sampled**', sum),
    row('**all but the plain work**', (name) => sum(name) - us(name, PLAIN_WORK)),
    row(COUNTER, (name) => us(name, COUNTER)),
  ].join('\n');
}
