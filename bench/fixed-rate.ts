import autocannon from 'autocannon';
import { availableParallelism } from 'node:os';
import { runningPid } from '../tools/stack/daemon.ts';
import { loadStackSettings } from '../tools/stack/settings.ts';
import { serversOf } from '../tools/stack/stack.ts';
import { cpuSeconds, pin } from './process-cpu.ts';

/** The rate at which CPU per request and latency are read (BENCH_FIXED_RATE, req/s). */
export const FIXED_RATE = Number(process.env.BENCH_FIXED_RATE ?? 300);

export interface FixedRateRun {
  readonly result: autocannon.Result;
  readonly cpuUsPerRequest: number;
  /** The measured window on the monotonic clock, µs (what V8's CPU profiles use). */
  readonly from: number;
  readonly to: number;
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/**
 * The app's own CPU per request (all threads, from /proc) over `seconds` at the fixed rate,
 * after a warm-up flat out (JIT, connection pools, sampler rates) and 5 s at the fixed rate so
 * the warm-up's export backlog (plain OpenTelemetry batches every 5 s) is sent before CPU is read.
 */
export async function cpuAtFixedRate(
  pid: number,
  url: string,
  seconds: number,
): Promise<FixedRateRun> {
  const atFixedRate = (duration: number) =>
    autocannon({ url, connections: 8, overallRate: FIXED_RATE, duration });
  await autocannon({ url, connections: 16, duration: 2 });
  await atFixedRate(5);
  const from = monotonicUs();
  const before = cpuSeconds(pid);
  const result = await atFixedRate(seconds);
  const cpuUsPerRequest = ((cpuSeconds(pid) - before) * 1e6) / Math.max(1, result.requests.total);
  return { result, cpuUsPerRequest, from, to: monotonicUs() };
}

/** The running servers of the default stack. */
export const stackPids = (): number[] =>
  serversOf(loadStackSettings())
    .map((server) => runningPid(server.name))
    .filter((pid): pid is number => pid !== undefined);

/** Core 0 for the app; this process and the stack's servers on the rest (restored after). */
export function pinAwayFromApp(): () => void {
  const cores = availableParallelism();
  if (cores < 2) return () => undefined;
  const others = cores === 2 ? '1' : `1-${cores - 1}`;
  const pids = [process.pid, ...stackPids()];
  for (const pid of pids) pin(pid, others);
  return () => {
    for (const pid of pids) pin(pid, `0-${cores - 1}`);
  };
}
