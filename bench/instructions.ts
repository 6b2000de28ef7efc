/**
 * Instructions per request: the app runs under valgrind's callgrind, which counts every
 * instruction the process executes in user space (JIT, garbage collector, exporters; kernel
 * time is not counted). Counting is off through start-up and a warm-up, on for a fixed number
 * of requests, off again. The count does not depend on how fast the machine happens to be that
 * second: CPU time per request of one variant moved by ±25% between runs here.
 *
 * V8 runs with --single-threaded: its compiler and garbage collector then work on the main
 * thread at points fixed by the work done, not by how threads happen to be scheduled. With
 * background threads, the same build counted 1,053k and 1,750k instructions per request in two
 * runs; single-threaded, three runs of one build stayed within 2% (887–903k), though a variant
 * that holds more objects can still land a major collection in one window and not in another.
 */
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type AppOptions } from '../tools/harness/instrumented-app.ts';

/**
 * Requests before counting starts, so the JIT has compiled what it will (with 3,000 on a
 * trivial route it was still compiling in the counted window: 1,374k instructions per request
 * against 907k after 4,000 and 865k after 8,000). They go to the app's cheapest route, which
 * runs the same http, express and telemetry code at a fraction of the cost under callgrind,
 * then 500 to the measured route.
 */
const WARM_UP = Number(process.env.BENCH_WARM_UP_REQUESTS ?? 6000);
/** Requests counted. */
export const COUNTED = Number(process.env.BENCH_COUNTED_REQUESTS ?? 1500);
/** The pace of both phases: under callgrind an app serves ~40–150 req/s, so this is a ceiling. */
const RATE = 200;

/** Fails early, naming what is missing, instead of a spawn error halfway through a run. */
export function requireValgrind(): void {
  try {
    execFileSync('valgrind', ['--version'], { stdio: 'ignore' });
    execFileSync('callgrind_control', ['--version'], { stdio: 'ignore' });
  } catch {
    throw new Error(
      'valgrind (with callgrind_control) is not installed: `apt-get install valgrind` and run again',
    );
  }
}

const callgrind = (pid: number, ...command: string[]): void => {
  execFileSync('callgrind_control', [...command, String(pid)], { stdio: 'ignore' });
};

/** The `totals:` line callgrind writes at the end of each dump. */
function countedInstructions(folder: string): number {
  let total = 0;
  for (const file of readdirSync(folder)) {
    const match = /^totals:\s+(\d+)/m.exec(readFileSync(join(folder, file), 'utf8'));
    if (match) total += Number(match[1]);
  }
  return total;
}

/**
 * Timers run on the clock: under callgrind a request takes ~50 times longer, so work done every
 * second (metric collection, event-loop sampling, batch timers) weighs ~50 times more per
 * request than at full speed. The count per request is left raw and the process's idle rate,
 * read over 30 s right after, is reported beside it. Taking the idle rate off was tried and
 * dropped: V8 collects garbage when a process goes idle, so idle rates ranged from 84 to
 * 6,620k instructions/s between runs of one bootstrap, and the difference swamped the
 * per-request figures (dd-trace came out below plain node).
 */
const IDLE_MS = 30_000;

export interface InstructionCount {
  /** Thousands of instructions per request, timer work during the window included. */
  readonly perRequest: number;
  /** Thousands of instructions per second while idle, under callgrind. */
  readonly idlePerSecond: number;
}

/** Instructions per request of `path`, the app started as `app` says, warmed on `warmUpPath`. */
export async function instructionsPerRequest(
  app: Omit<AppOptions, 'cores' | 'launcher' | 'nodeFlags' | 'startTimeoutMs'>,
  path: string,
  warmUpPath: string,
): Promise<InstructionCount> {
  const folder = mkdtempSync(join(tmpdir(), 'lantern-callgrind-'));
  const running = await startApp({
    ...app,
    nodeFlags: ['--single-threaded'],
    launcher: [
      'valgrind',
      '--tool=callgrind',
      '--instr-atstart=no',
      `--callgrind-out-file=${join(folder, 'callgrind.out')}`,
    ],
    startTimeoutMs: 120_000,
  });
  const pid = running.child.pid ?? 0;
  try {
    const load = (route: string, amount: number) =>
      autocannon({
        url: `${running.url}${route}`,
        connections: 4,
        amount,
        overallRate: RATE,
        timeout: 30,
      });
    await load(warmUpPath, WARM_UP);
    await load(path, 500);
    callgrind(pid, '--instr=on');
    const counted = await load(path, COUNTED);
    callgrind(pid, '--dump');
    const loaded = countedInstructions(folder);
    await new Promise((resolve) => setTimeout(resolve, IDLE_MS));
    callgrind(pid, '--instr=off');
    callgrind(pid, '--dump');
    if (counted.non2xx > 0 || counted.errors > 0)
      throw new Error(`${path}: ${counted.non2xx} non-2xx answers, ${counted.errors} errors`);
    return {
      perRequest: loaded / counted.requests.total / 1000,
      // k instructions per s = instructions per ms
      idlePerSecond: (countedInstructions(folder) - loaded) / IDLE_MS,
    };
  } finally {
    await running.stop('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  }
}
