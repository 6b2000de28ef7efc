/**
 * Overhead of the bootstrap: the same express app plain (control) and under
 * `--import lantern/register` exporting to the real local Collector, interleaved round by round.
 * Reports max throughput (ratio of medians), p50/p99 latency at a fixed rate, and RSS.
 *   npm run bench -- overhead
 */
import autocannon from 'autocannon';
import { loadStackSettings } from '../tools/stack/settings.ts';
import { stackUp } from '../tools/stack/stack.ts';
import { rssMiB, startApp } from '../tools/harness/instrumented-app.ts';
import { median, range } from './stats.ts';

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);
const FIXED_RATE = Number(process.env.BENCH_FIXED_RATE ?? 200);

async function load(
  url: string,
  options: Partial<autocannon.Options> = {},
): Promise<autocannon.Result> {
  return autocannon({ url, connections: 16, duration: SECONDS, ...options });
}

interface Sample {
  maxRps: number;
  p50: number;
  p99: number;
  rss: number;
}

/** Plain node; the instrumentations alone (SDK recording and exporting nothing); Lantern. */
const variants = {
  'control: plain node': { loader: 'none' },
  'floor: instrumentations only (AlwaysOff, no export)': {
    loader: '--import',
    preload: './bench/fixtures/instrumentations-only.mjs',
  },
  'lantern/register': { loader: '--import' },
} as const;
type Variant = keyof typeof variants;

async function measure(variant: Variant, path: string, otlp: string): Promise<Sample> {
  const app = await startApp({
    ...variants[variant],
    script: 'bench/fixtures/app.mjs',
    service: 'bench-overhead',
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlp },
  });
  const url = `${app.url}${path}`;
  await load(url, { duration: 2 }); // warm-up: JIT, connection pools, sampler rates
  const max = await load(url);
  const fixed = await load(url, { overallRate: FIXED_RATE, connections: 8 });
  const sample = {
    maxRps: max.requests.average,
    p50: fixed.latency.p50,
    p99: fixed.latency.p99,
    rss: rssMiB(app.child.pid ?? 0),
  };
  await app.stop();
  return sample;
}

export async function overhead(): Promise<string> {
  const { otlpHttp } = await stackUp(loadStackSettings());
  const lines = [
    `### Bootstrap overhead (${ROUNDS} interleaved rounds × ${SECONDS} s; fixed rate ${FIXED_RATE} req/s for latency)`,
    '',
    '| route | variant | max req/s (median, min–max) | ratio | p50 ms | p99 ms | RSS MiB |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  for (const path of ['/compute', '/hello']) {
    const byVariant = new Map<Variant, Sample[]>();
    for (let round = 0; round < ROUNDS; round += 1) {
      for (const variant of Object.keys(variants) as Variant[]) {
        const sample = await measure(variant, path, otlpHttp);
        byVariant.set(variant, [...(byVariant.get(variant) ?? []), sample]);
      }
    }
    const base = median((byVariant.get('control: plain node') ?? []).map((s) => s.maxRps));
    for (const [name, samples] of byVariant) {
      const rps = samples.map((s) => s.maxRps);
      lines.push(
        `| ${path} | ${name} | ${median(rps).toFixed(0)} (${range(rps)}) | ${(median(rps) / base).toFixed(3)} | ${median(samples.map((s) => s.p50)).toFixed(1)} | ${median(samples.map((s) => s.p99)).toFixed(1)} | ${median(samples.map((s) => s.rss)).toFixed(0)} |`,
      );
    }
  }
  return lines.join('\n');
}
