/**
 * How the scaled profile scales: the same load through the gateways with 2 and with 1
 * tail-sampling Collector, against the single-Collector stack, interleaved in one run. Each runs
 * on a stack of the benchmark's own (state in .lantern/bench-single and .lantern/bench-scale,
 * ports + 8000 and + 24000), so the developer's stacks are never written to. Per configuration:
 * acknowledged vs stored, and CPU-seconds per 1,000 records (logs + spans) for each tier.
 *   npm run bench -- scale
 */
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createElasticsearchClient } from '../src/storage/client.ts';
import { settledCount, treeCpuSeconds } from '../tools/harness/pipeline-counts.ts';
import { stackBeside, stackCli } from '../tools/harness/stack-cli.ts';
import { generateLoad } from '../tools/harness/telemetry-load.ts';
import { runningPid } from '../tools/stack/daemon.ts';
import { repoRoot } from '../tools/stack/paths.ts';
import { readRouterStatus } from '../tools/stack/sampling-router.ts';
import {
  collectorEndpoints,
  endpoints,
  loadStackSettings,
  type StackSettings,
} from '../tools/stack/settings.ts';
import { collectorInstances, elasticsearchNodes } from '../tools/stack/topology.ts';
import { median } from './stats.ts';

/** Logs per second and as many spans per second, in all (split over the gateways). */
const RATE = Number(process.env.BENCH_SCALE_RATE ?? 3000);
const SECONDS = Number(process.env.BENCH_SCALE_SECONDS ?? 20);
const ROUNDS = Number(process.env.BENCH_SCALE_ROUNDS ?? 3);

/** The benchmark's three stacks, in folders below the developer's state folder `stateDir`. */
function stackEnvs(stateDir: string) {
  const defaults = loadStackSettings({});
  return {
    single: stackBeside(defaults, join(stateDir, 'bench-single'), 8_000),
    /**
     * The control: the single-Collector stack with the pipeline as it was before batch/sampled
     * and the Go runtime's default GC, on a stack of its own (ports + 26000).
     */
    before: {
      ...stackBeside(defaults, join(stateDir, 'bench-before'), 26_000),
      LANTERN_COLLECTOR_CONFIG: join(repoRoot, 'bench', 'fixtures', 'collector-before-batch.yaml'),
      GOGC: '100',
      GOMEMLIMIT: 'off',
    },
    scale: { ...stackBeside(defaults, join(stateDir, 'bench-scale'), 24_000), LANTERN_SCALE: '1' },
  };
}

interface Profile {
  readonly env: Readonly<Record<string, string>>;
  readonly settings: StackSettings;
  /** Where the load is sent: the Collector, or each gateway. */
  readonly entry: readonly string[];
  /** Tier name → the servers (pid file names) it is made of. */
  readonly tiers: Readonly<Record<string, readonly string[]>>;
}

function profile(env: Readonly<Record<string, string>>): Profile {
  const s = loadStackSettings(env);
  const named = (tier: string) =>
    collectorInstances(s)
      .filter((instance) => instance.tier === tier)
      .map((instance) => instance.name);
  return {
    env,
    settings: s,
    entry: s.LANTERN_SCALE
      ? collectorInstances(s)
          .filter((instance) => instance.tier === 'gateway')
          .map((instance) => collectorEndpoints(s, instance).otlpHttp)
      : [endpoints(s).otlpHttp],
    tiers: {
      ...(s.LANTERN_SCALE
        ? { gateways: named('gateway'), 'tail sampling': named('sampling') }
        : { collector: named('single') }),
      elasticsearch: elasticsearchNodes(s).map((node) => node.name),
      jaeger: ['jaeger'],
    },
  };
}

interface Round {
  readonly config: string;
  readonly acked: number;
  readonly refused: number;
  readonly lost: number;
  /** CPU-seconds per 1,000 acknowledged records (logs + spans), per tier. */
  readonly cpuPer1000: Readonly<Record<string, number>>;
}

/** CPU-seconds so far of each running server of the profile, by tier and name. */
function serverCpu(p: Profile): Map<string, number> {
  const used = new Map<string, number>();
  for (const [tier, names] of Object.entries(p.tiers)) {
    for (const name of names) {
      // Stopped for this configuration, or not started.
      const pid = runningPid(p.settings.paths, name);
      if (pid !== undefined) used.set(`${tier}/${name}`, treeCpuSeconds(pid));
    }
  }
  return used;
}

/** CPU-seconds per tier between two readings, counting only servers alive at both. */
function tierCpu(p: Profile, before: Map<string, number>, after: Map<string, number>) {
  return Object.fromEntries(
    Object.keys(p.tiers).map((tier) => [
      tier,
      [...after].reduce(
        (sum, [key, seconds]) =>
          key.startsWith(`${tier}/`) && before.has(key)
            ? sum + seconds - (before.get(key) ?? 0)
            : sum,
        0,
      ),
    ]),
  );
}

/** Time for what was accepted to leave the pipeline: tail-sampling decisions, queue flushes. */
const DRAIN_MS = 8_000;

async function measure(config: string, p: Profile, run: string, round: number): Promise<Round> {
  const service = `bench-scale-${run}-${config.replaceAll(' ', '-')}-${String(round)}`;
  const before = serverCpu(p);
  const loads = await Promise.all(
    p.entry.map((otlpHttp) =>
      generateLoad({
        otlpHttp,
        service,
        logsPerSecond: RATE / p.entry.length,
        spansPerSecond: RATE / p.entry.length,
        seconds: SECONDS,
      }),
    ),
  );
  await sleep(DRAIN_MS);
  const used = tierCpu(p, before, serverCpu(p));
  const acked = { logs: 0, spans: 0, refused: 0 };
  for (const load of loads) {
    acked.logs += load.logsAccepted;
    acked.spans += load.spansAccepted;
    acked.refused += load.logsFailed + load.spansFailed;
  }
  const s = loadStackSettings(p.env);
  const es = createElasticsearchClient({
    url: (endpoints(s).elasticsearchNodes ?? [endpoints(s).elasticsearch]).join(','),
    requestTimeoutMs: 30_000,
  });
  const [storedLogs, storedSpans] = await Promise.all([
    settledCount(es, 'logs', service, acked.logs),
    settledCount(es, 'spans', service, acked.spans),
  ]);
  await es.close();
  const thousands = (acked.logs + acked.spans) / 1000;
  const result: Round = {
    config,
    acked: acked.logs + acked.spans,
    refused: acked.refused,
    lost: Math.max(0, acked.logs - storedLogs) + Math.max(0, acked.spans - storedSpans),
    cpuPer1000: Object.fromEntries(
      Object.keys(p.tiers).map((tier) => [tier, (used[tier] ?? 0) / thousands]),
    ),
  };
  console.error(`[bench] scale ${config} round ${String(round)}: ${JSON.stringify(result)}`);
  return result;
}

/** Stops the second tail-sampling Collector and waits until the gateways route around it. */
async function withOneSampler(p: Profile): Promise<void> {
  const [, second] = p.tiers['tail sampling'] ?? [];
  const pid = runningPid(p.settings.paths, second ?? '');
  if (pid === undefined) throw new Error(`${String(second)} is not running`);
  process.kill(-pid, 'SIGTERM');
  for (let i = 0; i < 60; i += 1) {
    if (readRouterStatus(p.settings.paths)?.routed.length === 1) return;
    await sleep(500);
  }
  throw new Error('the sampling router did not route around the stopped Collector within 30 s');
}

export async function scale(settings: StackSettings): Promise<string> {
  const envs = stackEnvs(settings.paths.stateDir);
  const before = profile(envs.before);
  const single = profile(envs.single);
  const scaled = profile(envs.scale);
  await stackCli(envs.before, ['up'], true);
  await stackCli(envs.single, ['up'], true);
  await stackCli(envs.scale, ['up', '--scale'], true);
  const run = Date.now().toString(36);
  const rounds: Round[] = [];
  try {
    for (let round = 1; round <= ROUNDS; round += 1) {
      rounds.push(await measure('single Collector, before (control)', before, run, round));
      rounds.push(await measure('single Collector', single, run, round));
      rounds.push(await measure('2 gateways → 2 sampling', scaled, run, round));
      await withOneSampler(scaled);
      rounds.push(await measure('2 gateways → 1 sampling', scaled, run, round));
      await stackCli(envs.scale, ['up', '--scale']);
    }
  } finally {
    if (process.env.BENCH_KEEP_STACKS !== '1') {
      await stackCli(envs.before, ['down']);
      await stackCli(envs.single, ['down']);
      await stackCli(envs.scale, ['down', '--scale']);
    }
  }
  const configs = [...new Set(rounds.map((r) => r.config))];
  const tiers = [...new Set(rounds.flatMap((r) => Object.keys(r.cpuPer1000)))];
  const control = median(
    rounds.filter((r) => r.config.endsWith('(control)')).map((r) => r.cpuPer1000.collector ?? 0),
  );
  const lines = [
    `### Scaling out (${String(RATE)} logs/s + ${String(RATE)} spans/s for ${String(SECONDS)} s, ${String(ROUNDS)} interleaved rounds; medians)`,
    '',
    'CPU-seconds per 1,000 acknowledged records (logs + spans), per tier, read from /proc over the load and an 8 s drain. Each configuration on a stack of the benchmark’s own; the generator runs on the same 2 cores.',
    '',
    `| configuration | acked (per round) | not acked | lost | ${tiers.join(' | ')} | Collector tiers ÷ control |`,
    `| --- | --- | --- | --- | ${tiers.map(() => '---').join(' | ')} | --- |`,
  ];
  for (const config of configs) {
    const of = rounds.filter((r) => r.config === config);
    const cpu = (tier: string) => median(of.map((r) => r.cpuPer1000[tier] ?? Number.NaN));
    const collectorTiers = ['collector', 'gateways', 'tail sampling']
      .filter((tier) => tiers.includes(tier) && !Number.isNaN(cpu(tier)))
      .reduce((sum, tier) => sum + cpu(tier), 0);
    lines.push(
      `| ${config} | ${String(median(of.map((r) => r.acked)))} | ${String(of.reduce((sum, r) => sum + r.refused, 0))} | ${String(of.reduce((sum, r) => sum + r.lost, 0))} | ${tiers.map((tier) => (Number.isNaN(cpu(tier)) ? '-' : cpu(tier).toFixed(3))).join(' | ')} | ${(collectorTiers / control).toFixed(2)} |`,
    );
  }
  return lines.join('\n');
}
