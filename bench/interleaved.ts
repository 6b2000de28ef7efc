/**
 * Every variant's app running at once on core 0, the load moving from one to the next in short
 * slices, round-robin, for many cycles. This machine's speed drifts by half within minutes
 * (plain node read 1,842 and then 2,895 CPU µs per request two minutes apart), more than the
 * gaps between the variants. In slices seconds apart every variant sees the same machine, so a
 * figure divided by the control's figure of the same cycle (a paired ratio) carries no drift.
 */
import autocannon from 'autocannon';
import { setTimeout } from 'node:timers/promises';
import { atFixedRate } from './fixed-rate.ts';
import { cpuSeconds, threadCpuSeconds } from './process-cpu.ts';

export interface SlicedApp {
  readonly name: string;
  readonly pid: number;
  readonly url: string;
}

/** One app's figures, one entry per cycle. */
export interface Slices {
  /** CPU per request at the fixed rate, deferred work included, idle work outside taken out. */
  readonly cpuUsPerRequest: number[];
  readonly p50: number[];
  readonly p99: number[];
  /** Requests a second flat out. */
  readonly maxRps: number[];
  /** The app's share of its core while flat out: under 1, something else limited it. */
  readonly busy: number[];
}

export interface SliceOptions {
  readonly cycles: number;
  readonly seconds: number;
  /** The fixed rate, req/s. */
  readonly rate: number;
  /** Processes besides the apps that must be quiet before a slice flat out (the stack). */
  readonly stackPids: readonly number[];
}

const sleep = (seconds: number): Promise<void> => setTimeout(seconds * 1000);
const nowSeconds = (): number => performance.now() / 1000;

/** Each cycle starts one app further on, so no app always follows the same one. */
export const rotated = <T>(items: readonly T[], cycle: number): T[] =>
  items.map((_, i) => items[(i + cycle) % items.length] as T);

/**
 * Waits (at most 10 s) until the given processes together use under a fifth of a core for
 * 0.5 s: an app's batched exports and the stack indexing them would otherwise take time from
 * the app measured flat out next, or from the load generator.
 */
export async function untilQuiet(pids: readonly number[]): Promise<void> {
  const used = (): number => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  const deadline = Date.now() + 10_000;
  let before = used();
  while (Date.now() < deadline) {
    await sleep(0.5);
    const now = used();
    if (now - before < 0.1) return;
    before = now;
  }
}

interface Mark {
  readonly at: number;
  readonly cpu: number;
}

/**
 * CPU per request at the fixed rate. An app's CPU is read from the start of its slice to the
 * start of its next one, so work it defers past its slice (batched exports) is counted; the
 * idle work it does in that window outside its own slice (timers, metric collection), at its
 * idle rate read once all cycles are done, is taken out again, as an app under steady load
 * spreads it over all its requests.
 */
async function fixedRateCycles(
  apps: readonly SlicedApp[],
  { cycles, seconds, rate }: SliceOptions,
  slices: Map<string, Slices>,
): Promise<void> {
  const starts = new Map<string, Mark[]>(apps.map((app) => [app.name, []]));
  const runs = new Map<string, { seconds: number; requests: number }[]>(
    apps.map((app) => [app.name, []]),
  );
  const mark = (app: SlicedApp): void => {
    starts.get(app.name)?.push({ at: nowSeconds(), cpu: threadCpuSeconds(app.pid) });
  };
  for (let cycle = 0; cycle < cycles; cycle += 1) {
    for (const app of rotated(apps, cycle)) {
      mark(app);
      const from = nowSeconds();
      const result = await atFixedRate(app.url, seconds, rate);
      runs.get(app.name)?.push({ seconds: nowSeconds() - from, requests: result.requests.total });
      slices.get(app.name)?.p50.push(result.latency.p50);
      slices.get(app.name)?.p99.push(result.latency.p99);
    }
  }
  // A cycle without load closes the last windows, each a whole cycle long like the others.
  for (const app of rotated(apps, cycles)) {
    mark(app);
    await sleep(seconds);
  }
  await sleep(5); // the last batched exports
  const before = apps.map((app) => threadCpuSeconds(app.pid));
  const IDLE_SECONDS = 10;
  await sleep(IDLE_SECONDS);
  apps.forEach((app, i) => {
    const idlePerSecond = (threadCpuSeconds(app.pid) - (before[i] ?? 0)) / IDLE_SECONDS;
    const marks = starts.get(app.name) ?? [];
    (runs.get(app.name) ?? []).forEach((run, k) => {
      const [start, end] = [marks[k], marks[k + 1]];
      if (!start || !end) return;
      const outside = end.at - start.at - run.seconds;
      const cpu = end.cpu - start.cpu - idlePerSecond * outside;
      slices.get(app.name)?.cpuUsPerRequest.push((cpu * 1e6) / Math.max(1, run.requests));
    });
  });
}

/** Requests a second flat out, each slice after the apps and the stack have gone quiet. */
async function flatOutCycles(
  apps: readonly SlicedApp[],
  { cycles, seconds, stackPids }: SliceOptions,
  slices: Map<string, Slices>,
): Promise<void> {
  const everyone = [...apps.map((app) => app.pid), ...stackPids];
  for (let cycle = 0; cycle < cycles; cycle += 1) {
    for (const app of rotated(apps, cycle)) {
      await untilQuiet(everyone);
      const from = nowSeconds();
      const cpu = threadCpuSeconds(app.pid);
      const result = await autocannon({ url: app.url, connections: 16, duration: seconds });
      const elapsed = nowSeconds() - from;
      slices.get(app.name)?.maxRps.push(result.requests.total / elapsed);
      slices.get(app.name)?.busy.push((threadCpuSeconds(app.pid) - cpu) / elapsed);
    }
  }
}

/** Fixed-rate cycles first, then flat-out ones: a flat-out backlog must not land in CPU figures. */
export async function interleave(
  apps: readonly SlicedApp[],
  options: SliceOptions,
): Promise<Map<string, Slices>> {
  const slices = new Map<string, Slices>(
    apps.map((app) => [app.name, { cpuUsPerRequest: [], p50: [], p99: [], maxRps: [], busy: [] }]),
  );
  await fixedRateCycles(apps, options, slices);
  await flatOutCycles(apps, options, slices);
  return slices;
}

/** The median over cycles of a variant's figure divided by the control's of the same cycle. */
export const pairedRatios = (figures: readonly number[], control: readonly number[]): number[] =>
  figures.flatMap((value, k) => {
    const base = control[k];
    return base === undefined || base === 0 ? [] : [value / base];
  });

/** The variant's figure minus the control's of the same cycle. */
export const pairedDifferences = (
  figures: readonly number[],
  control: readonly number[],
): number[] =>
  figures.flatMap((value, k) => {
    const base = control[k];
    return base === undefined ? [] : [value - base];
  });

/**
 * One variant's figures from the slices of its copies: each cycle's figure is the mean over
 * the copies' slices of that cycle. Two processes of the same app can differ for their whole
 * life: three plain node processes, interleaved in one run, served a median of 407, 347 and 352
 * `/compute` requests a second flat out over 4 cycles, so a variant measured in one process
 * carries that process's luck, and over several, their mean.
 */
export function meanOfCopies(copies: readonly Slices[]): Slices {
  const mean = (figure: keyof Slices): number[] => {
    const cycles = Math.min(...copies.map((copy) => copy[figure].length));
    return Array.from(
      { length: Number.isFinite(cycles) ? cycles : 0 },
      (_, k) => copies.reduce((sum, copy) => sum + (copy[figure][k] ?? 0), 0) / copies.length,
    );
  };
  return {
    cpuUsPerRequest: mean('cpuUsPerRequest'),
    p50: mean('p50'),
    p99: mean('p99'),
    maxRps: mean('maxRps'),
    busy: mean('busy'),
  };
}
