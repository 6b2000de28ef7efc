import autocannon from 'autocannon';
import { availableParallelism } from 'node:os';
import { runningPid } from '../tools/stack/daemon.ts';
import type { StackSettings } from '../tools/stack/settings.ts';
import { serversOf } from '../tools/stack/stack.ts';
import { cpuSeconds, pin } from './process-cpu.ts';

/** The rate at which CPU per request and latency are read (BENCH_FIXED_RATE, req/s). */
export const FIXED_RATE = Number(process.env.BENCH_FIXED_RATE ?? 300);

/**
 * Requests of the measured route before anything is read, so every variant is measured with
 * its code compiled, as a service runs for hours. V8 optimises a function after enough calls,
 * not after enough time: with `--trace-opt` at 300 req/s on `/compute`, plain node completed
 * 286, 116, 34 and then ~10 compilations per 3,000 requests, Lantern 598, 226, 64 and then
 * ~10. The 2 s flat out used before was ~1,400 requests on `/compute`, so its figures still
 * paid for compiling (more for a bootstrap with more code), and counted by callgrind the
 * compiler was 148k of plain node's 2,541k instructions per request and 240k of Lantern's
 * 2,959k; after 8,000 requests 67k and 74k.
 */
export const WARM_UP_REQUESTS = Number(process.env.BENCH_WARM_UP_REQUESTS ?? 10_000);

export interface FixedRateRun {
  readonly result: autocannon.Result;
  readonly cpuUsPerRequest: number;
  /** The measured window on the monotonic clock, µs (what V8's CPU profiles use). */
  readonly from: number;
  readonly to: number;
}

const monotonicUs = (): number => Number(process.hrtime.bigint() / 1000n);

/** `seconds` of load at `rate` req/s: the one way the benchmarks hold an app at a fixed rate. */
export const atFixedRate = (url: string, seconds: number, rate = FIXED_RATE) =>
  autocannon({ url, connections: 8, overallRate: rate, duration: seconds });

/**
 * WARM_UP_REQUESTS flat out (JIT, connection pools, sampler rates), then 5 s at the fixed rate
 * so the warm-up's export backlog (plain OpenTelemetry batches every 5 s) is sent before
 * anything is read.
 */
export async function warmUp(url: string): Promise<{ flatOutRps: number }> {
  const flatOut = await autocannon({ url, connections: 16, amount: WARM_UP_REQUESTS });
  await atFixedRate(url, 5);
  return { flatOutRps: flatOut.requests.total / Math.max(flatOut.duration, 1e-3) };
}

/** The app's own CPU per request (all threads, from /proc) over `seconds` at the fixed rate, warm. */
export async function cpuAtFixedRate(
  pid: number,
  url: string,
  seconds: number,
): Promise<FixedRateRun> {
  await warmUp(url);
  const from = monotonicUs();
  const before = cpuSeconds(pid);
  const result = await atFixedRate(url, seconds);
  const cpuUsPerRequest = ((cpuSeconds(pid) - before) * 1e6) / Math.max(1, result.requests.total);
  return { result, cpuUsPerRequest, from, to: monotonicUs() };
}

/** The running servers of the stack. */
export const stackPids = (s: StackSettings): number[] =>
  serversOf(s)
    .map((server) => runningPid(s.paths, server.name))
    .filter((pid): pid is number => pid !== undefined);

/** Core 0 for the app; this process and the stack's servers on the rest (restored after). */
export function pinAwayFromApp(s: StackSettings): () => void {
  const cores = availableParallelism();
  if (cores < 2) return () => undefined;
  const others = cores === 2 ? '1' : `1-${cores - 1}`;
  const pids = [process.pid, ...stackPids(s)];
  for (const pid of pids) pin(pid, others);
  return () => {
    for (const pid of pids) pin(pid, `0-${cores - 1}`);
  };
}
