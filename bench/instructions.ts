/**
 * Instructions per request: the app runs under valgrind's callgrind, which counts every
 * instruction the process executes in user space (JIT, garbage collector, exporters; kernel
 * time is not counted). Counting is off through start-up and a warm-up, then on for a fixed
 * number of requests. The count does not depend on how fast the machine happens to be that
 * second: CPU time per request of one variant moved by ±25% between runs here.
 *
 * V8 runs with --single-threaded: its compiler and garbage collector then work on the main
 * thread at points fixed by the work done, not by how threads happen to be scheduled. With
 * background threads, the same build counted 1,053k and 1,750k instructions per request in two
 * runs; single-threaded, three runs of one build stayed within 2% (887–903k) and repeated runs
 * of plain node and of one bootstrap on another day within 6–8% (645–684k, 879–951k): a
 * variant that holds more objects can still land a major collection in one window and not in
 * another.
 */
import autocannon from 'autocannon';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startApp, type AppOptions } from '../tools/harness/instrumented-app.ts';
import { debianExecutable } from '../tools/stack/debian-package.ts';
import { FIXED_RATE, WARM_UP_REQUESTS } from './fixed-rate.ts';

/**
 * Requests counted (100 s at PACE). A major collection lands every ~1,500 requests on
 * `/compute`; over 900 requests a window caught one or none, and one bootstrap counted 2,821k
 * and, with less to do, 2,940k.
 */
export const COUNTED = Number(process.env.BENCH_COUNTED_REQUESTS ?? 3000);
/** The warm-up's pace: under callgrind an app serves ~50–200 req/s, so this is a ceiling. */
const WARM_UP_RATE = 200;

/** valgrind (callgrind) and libfaketime, installed with apt-get when missing and root. */
export async function requireCountingTools(): Promise<void> {
  await debianExecutable('valgrind', 'valgrind');
  await debianExecutable('callgrind_control', 'valgrind');
  await debianExecutable('faketime', 'faketime');
  slowClockLibrary();
}

/**
 * libfaketime's multi-threaded library (node has threads even with V8 single-threaded),
 * preloaded into the app directly: the `faketime` command runs its program as a child, which
 * outlived the SIGKILL that stops an app.
 */
function slowClockLibrary(): string {
  const folders = readdirSync('/usr/lib').map((arch) => join('/usr/lib', arch, 'faketime'));
  const found = folders
    .map((folder) => join(folder, 'libfaketimeMT.so.1'))
    .find((file) => existsSync(file));
  if (!found)
    throw new Error(
      'libfaketimeMT.so.1 not found under /usr/lib/*/faketime: apt-get install faketime',
    );
  return found;
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
 * Timers run on the clock, and under callgrind an app serves a few dozen requests a second, not
 * the fixed rate's 300: work done once per period (a batch export, metric collection, a
 * tracer's flush, event-loop sampling) would weigh ten times more per request than it does at
 * that rate. So the app runs under libfaketime with its clock SLOWDOWN times slower, every
 * timer of every variant alike, and requests arrive at FIXED_RATE / SLOWDOWN a second: by the
 * app's own clock they come at the fixed rate and a batch holds what it would hold there.
 * (Before, the idle rate read after the window was taken off: V8 collects garbage when a
 * process goes idle, and the idle rate of one bootstrap ranged from 84 to 6,620k
 * instructions/s. Stretching only the exporters' periods by their settings left every other
 * timer ten times too heavy.)
 */
const SLOWDOWN = 10;
export const PACE = FIXED_RATE / SLOWDOWN;

/**
 * Thousands of instructions per request of `path`, timer work included, the app started as
 * `app` says and warmed on `path` itself (WARM_UP_REQUESTS, see there).
 */
export async function instructionsPerRequest(
  app: Omit<AppOptions, 'cores' | 'launcher' | 'nodeFlags' | 'startTimeoutMs'>,
  path: string,
): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), 'lantern-callgrind-'));
  const running = await startApp({
    ...app,
    env: { ...app.env, LD_PRELOAD: slowClockLibrary(), FAKETIME: `+0 x${1 / SLOWDOWN}` },
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
    const load = (route: string, amount: number, rate: number) =>
      autocannon({
        url: `${running.url}${route}`,
        connections: 4,
        amount,
        overallRate: rate,
        timeout: 30,
      });
    await load(path, WARM_UP_REQUESTS, WARM_UP_RATE);
    callgrind(pid, '--instr=on');
    const counted = await load(path, COUNTED, PACE);
    callgrind(pid, '--dump');
    if (counted.non2xx > 0 || counted.errors > 0)
      throw new Error(`${path}: ${counted.non2xx} non-2xx answers, ${counted.errors} errors`);
    return countedInstructions(folder) / counted.requests.total / 1000;
  } finally {
    await running.stop('SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  }
}
