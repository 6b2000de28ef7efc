/**
 * What each bootstrap costs a process that serves nothing: the overhead benchmark's apps, all
 * started at once on core 0, left alone until start-up garbage collection has settled, then
 * their CPU (/proc, every thread) over a quiet window, and their resident memory. Lantern also
 * runs with Node's 10 ms event-loop sampling and without the runtime instrumentation, so the
 * cost of its timers shows.
 *   npm run bench -- idle
 */
import { rssMiB, type RunningApp } from '../tools/harness/instrumented-app.ts';
import type { StackSettings } from '../tools/stack/settings.ts';
import { stackUp } from '../tools/stack/stack.ts';
import { startVariant, variants, type Variant } from './overhead.ts';
import { cpuSeconds } from './process-cpu.ts';

const SETTLE_SECONDS = Number(process.env.BENCH_SETTLE_SECONDS ?? 40);
const WINDOW_SECONDS = Number(process.env.BENCH_SECONDS ?? 30);

const idleVariants: Record<string, Variant> = {
  ...variants,
  'lantern-10ms': {
    label: 'lantern, LANTERN_EVENT_LOOP_RESOLUTION_MS=10 (Node’s default sampling)',
    loader: '--import',
    env: { LANTERN_EVENT_LOOP_RESOLUTION_MS: '10' },
  },
  'lantern-no-runtime': {
    label: 'lantern, OTEL_NODE_DISABLED_INSTRUMENTATIONS=runtime-node',
    loader: '--import',
    env: { OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'runtime-node' },
  },
};

const sleep = (seconds: number): Promise<void> =>
  new Promise((resolve) => setTimeout(resolve, seconds * 1000));

export async function idle(settings: StackSettings): Promise<string> {
  const { otlpHttp } = await stackUp(settings);
  const apps: [string, RunningApp][] = [];
  try {
    for (const [name, variant] of Object.entries(idleVariants))
      apps.push([name, await startVariant(variant, 'bench-idle', otlpHttp)]);
    await sleep(SETTLE_SECONDS);
    const pidOf = (app: RunningApp): number => app.child.pid ?? 0;
    const before = apps.map(([, app]) => cpuSeconds(pidOf(app)));
    await sleep(WINDOW_SECONDS);
    const lines = [
      `### An idle app (every variant at once on core 0, ${SETTLE_SECONDS} s after start, CPU over ${WINDOW_SECONDS} s)`,
      '',
      '| variant | CPU ms per second | RSS MiB |',
      '| --- | --- | --- |',
    ];
    apps.forEach(([name, app], i) => {
      const cpu = ((cpuSeconds(pidOf(app)) - (before[i] ?? 0)) * 1000) / WINDOW_SECONDS;
      lines.push(
        `| ${idleVariants[name]?.label ?? name} | ${cpu.toFixed(1)} | ${rssMiB(pidOf(app)).toFixed(1)} |`,
      );
    });
    return lines.join('\n');
  } finally {
    await Promise.all(apps.map(([, app]) => app.stop('SIGKILL')));
  }
}
