/**
 * Where Lantern's CPU goes, by component: the benchmark app under `lantern/register` and V8's
 * sampling profiler (`--cpu-prof`), at the overhead benchmark's fixed rate. Each sample is
 * charged to the innermost frame that belongs to a package (Node's own internals are charged to
 * the package that called them), packages are grouped into components, and each component's
 * share of the process's CPU becomes µs per request.
 *   npm run bench -- profile
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp } from '../tools/harness/instrumented-app.ts';
import { loadStackSettings } from '../tools/stack/settings.ts';
import { stackUp } from '../tools/stack/stack.ts';
import { cpuAtFixedRate, FIXED_RATE, pinAwayFromApp } from './fixed-rate.ts';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}
interface Profile {
  /** µs on the monotonic clock, which process.hrtime reads too (Linux: CLOCK_MONOTONIC). */
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Components, first match wins; a frame outside node_modules and src is the app's. */
const components: [string, RegExp][] = [
  [
    'Lantern: holding and deciding traces',
    /dist\/tracing\/sampler\/(tail-processor|bounded-map|decision|error-span|randomness|weighted-span)/,
  ],
  [
    'Lantern: head sampler and tracestate',
    /dist\/tracing\/sampler\/|@opentelemetry\/core\/.*TraceState/,
  ],
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
  ['other instrumentation', /@opentelemetry\//],
  ['app, express, pino (plain work)', /node_modules\/|bench\/fixtures/],
];

function componentOf(url: string): string | undefined {
  if (url === '' || url.startsWith('node:')) return undefined;
  return (
    components.find(([, pattern]) => pattern.test(url))?.[0] ?? 'app, express, pino (plain work)'
  );
}

/** CPU time per component, ms, of the samples taken within [from, to] µs (idle excluded). */
export function chargeByComponent(profile: Profile, from: number, to: number): Map<string, number> {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);
  const owner = new Map<number, string>();
  const ownerOf = (id: number): string => {
    const known = owner.get(id);
    if (known) return known;
    const node = byId.get(id);
    const name = node?.callFrame.functionName ?? '';
    let found: string;
    if (name === '(garbage collector)') found = 'garbage collector';
    else if (name === '(idle)') found = 'idle';
    else {
      const here = componentOf(node?.callFrame.url ?? '');
      const up = parent.get(id);
      found = here ?? (up === undefined ? 'node internals, startup' : ownerOf(up));
    }
    owner.set(id, found);
    return found;
  };
  const charged = new Map<string, number>();
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    at += delta;
    if (at < from || at > to) return;
    const component = ownerOf(id);
    charged.set(component, (charged.get(component) ?? 0) + delta / 1000);
  });
  charged.delete('idle');
  return charged;
}

export async function cpuProfile(): Promise<string> {
  const { otlpHttp } = await stackUp(loadStackSettings());
  const dir = mkdtempSync(join(tmpdir(), 'lantern-profile-'));
  const app = await startApp({
    loader: '--import',
    script: 'bench/fixtures/app.mjs',
    service: 'bench-overhead',
    cores: '0',
    env: {
      OTEL_EXPORTER_OTLP_ENDPOINT: otlpHttp,
      NODE_OPTIONS: `--cpu-prof --cpu-prof-dir=${dir}`,
    },
  });
  const unpin = pinAwayFromApp();
  const { cpuUsPerRequest, from, to } = await cpuAtFixedRate(
    app.child.pid ?? 0,
    `${app.url}/compute`,
    SECONDS,
  ).finally(unpin);
  await app.stop('SIGINT'); // Lantern flushes, then the process exits and V8 writes the profile
  const file = readdirSync(dir).find((name) => name.endsWith('.cpuprofile'));
  if (!file) throw new Error(`no CPU profile written in ${dir}: ${app.stderr()}`);
  const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile;
  rmSync(dir, { recursive: true, force: true });
  const charged = chargeByComponent(profile, from, to);
  const busy = [...charged.values()].reduce((a, b) => a + b, 0);
  if (busy === 0)
    throw new Error('no profile sample fell in the measured window: the clocks do not agree');
  const lines = [
    `### Where Lantern's CPU goes on /compute (V8 profile of the measured window, ${FIXED_RATE} req/s for ${SECONDS} s, CPU counter ${cpuUsPerRequest.toFixed(0)} µs/req)`,
    '',
    '| component | share of busy CPU | ≈ µs/req |',
    '| --- | --- | --- |',
  ];
  for (const [component, ms] of [...charged].sort((a, b) => b[1] - a[1])) {
    lines.push(
      `| ${component} | ${((ms / busy) * 100).toFixed(1)}% | ${((ms / busy) * cpuUsPerRequest).toFixed(0)} |`,
    );
  }
  return lines.join('\n');
}
