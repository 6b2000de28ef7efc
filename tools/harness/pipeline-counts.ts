import { readdirSync, readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@elastic/elasticsearch';
import { fields } from '../../src/contracts/fields.ts';
import { indices } from '../../src/contracts/indices.ts';

/**
 * What arrived where: documents per service in Elasticsearch, the Collector's and Jaeger's own
 * counters, and CPU/RSS of the stack's processes. Shared by the fault tests and bench/ingest.ts.
 */
export type Kind = 'logs' | 'spans';

export async function storedCount(es: Client, kind: Kind, service: string): Promise<number> {
  const result = await es.count({
    index: indices[kind].pattern,
    ignore_unavailable: true,
    allow_no_indices: true,
    query: { term: { [fields.serviceName]: service } },
  });
  return result.count;
}

/**
 * Polls the stored count until it reaches `expected`, or has not moved for `stableMs`, or the
 * timeout passes; returns the last count (which may be short: the caller decides).
 */
export async function settledCount(
  es: Client,
  kind: Kind,
  service: string,
  expected: number,
  { stableMs = 15_000, timeoutMs = 120_000 } = {},
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = -1;
  let lastChange = Date.now();
  for (;;) {
    const count = await storedCount(es, kind, service).catch(() => last);
    if (count >= expected) return count;
    if (count !== last) {
      last = count;
      lastChange = Date.now();
    }
    if (Date.now() - lastChange > stableMs || Date.now() > deadline) return count;
    await sleep(1000);
  }
}

/** Sum of a Prometheus-format metric's samples whose labels include every `match` pair. */
export async function scrapeSum(
  url: string,
  metric: string,
  match: Readonly<Record<string, string>> = {},
): Promise<number> {
  const text = await (await fetch(url)).text();
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${metric}{`) && !line.startsWith(`${metric} `)) continue;
    const labels = /\{(.*)\}/.exec(line)?.[1] ?? '';
    if (!Object.entries(match).every(([k, v]) => labels.includes(`${k}="${v}"`))) continue;
    sum += Number(line.slice(line.lastIndexOf(' ') + 1));
  }
  return sum;
}

const CLOCK_TICKS = 100;
const statOf = (pid: number): string[] => {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
};

/** The process and its descendants (Elasticsearch's server JVM is a child of its launcher). */
function tree(pid: number): number[] {
  const parents = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const ppid = Number(statOf(Number(entry))[1]);
      parents.set(ppid, [...(parents.get(ppid) ?? []), Number(entry)]);
    } catch {
      // exited while we looked
    }
  }
  const all = [pid];
  for (let i = 0; i < all.length; i += 1) all.push(...(parents.get(all[i] ?? 0) ?? []));
  return all;
}

const sumOverTree = (pid: number, read: (pid: number) => number): number =>
  tree(pid).reduce((sum, p) => {
    try {
      return sum + read(p);
    } catch {
      return sum;
    }
  }, 0);
const cpuTicks = (pid: number): number =>
  sumOverTree(pid, (p) => {
    const rest = statOf(p);
    return Number(rest[11]) + Number(rest[12]); // utime + stime
  });
/** CPU-seconds a process and its descendants have used so far. */
export const treeCpuSeconds = (pid: number): number => cpuTicks(pid) / CLOCK_TICKS;
const rssMiBOf = (pid: number): number =>
  sumOverTree(
    pid,
    (p) =>
      Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, 'utf8'))?.[1] ?? 0) / 1024,
  );

export interface ProcessUsage {
  /** Mean CPU over the window, % of one core. */
  readonly cpuPercent: number;
  /** CPU time over the window, all cores. */
  readonly cpuSeconds: number;
  readonly peakRssMiB: number;
}

/** Samples CPU and RSS of process trees once a second until stopped. */
export function watchProcesses(pids: Readonly<Record<string, number>>): {
  stop(): Record<string, ProcessUsage>;
} {
  const started = performance.now();
  const startTicks = Object.fromEntries(Object.entries(pids).map(([n, pid]) => [n, cpuTicks(pid)]));
  const peak: Record<string, number> = {};
  const sample = (): void => {
    for (const [name, pid] of Object.entries(pids)) {
      try {
        peak[name] = Math.max(peak[name] ?? 0, rssMiBOf(pid));
      } catch {
        // the process is gone (a fault test killed it)
      }
    }
  };
  sample();
  const timer = setInterval(sample, 1000);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const seconds = (performance.now() - started) / 1000;
      return Object.fromEntries(
        Object.entries(pids).map(([name, pid]) => {
          const ticks = Math.max(0, cpuTicks(pid) - (startTicks[name] ?? 0));
          return [
            name,
            {
              cpuPercent: (100 * ticks) / CLOCK_TICKS / seconds,
              cpuSeconds: ticks / CLOCK_TICKS,
              peakRssMiB: peak[name] ?? 0,
            },
          ];
        }),
      );
    },
  };
}
