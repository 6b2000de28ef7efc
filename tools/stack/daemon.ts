import { spawn } from 'node:child_process';
import {
  mkdirSync,
  openSync,
  closeSync,
  readFileSync,
  rmSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StackError } from './errors.ts';
import { logFile, type StackPaths } from './paths.ts';

/** How to start one server of the stack as a background process. */
export interface DaemonSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** Drop privileges to this user (Elasticsearch refuses to run as root). */
  readonly user?: { readonly uid: number; readonly gid: number };
  /** Text that the process's command line contains, so a recycled pid is not mistaken for it. */
  readonly signature: string;
}

interface PidRecord {
  readonly pid: number;
  readonly signature: string;
  readonly startedAt: string;
}

const pidFile = (paths: StackPaths, name: string): string => join(paths.runDir, `${name}.json`);

/**
 * Starts a server detached from this process, in its own process group, logging to its log file;
 * its pid file goes to the stack's run folder (`paths`), where runningPid and stopDaemon look.
 */
export function startDaemon(paths: StackPaths, spec: DaemonSpec): number {
  mkdirSync(paths.logDir, { recursive: true });
  mkdirSync(paths.runDir, { recursive: true });
  const out = openSync(logFile(paths, spec.name), 'a');
  try {
    const child = spawn(spec.command, spec.args, {
      detached: true,
      stdio: ['ignore', out, out],
      env: { ...process.env, ...spec.env },
      ...(spec.cwd ? { cwd: spec.cwd } : {}),
      ...(spec.user ? { uid: spec.user.uid, gid: spec.user.gid } : {}),
    });
    if (child.pid === undefined) {
      throw new StackError(`${spec.name}: could not start ${spec.command}`);
    }
    child.on('error', () => undefined); // reported through the health check and the log tail
    child.unref();
    const record: PidRecord = {
      pid: child.pid,
      signature: spec.signature,
      startedAt: new Date().toISOString(),
    };
    writeFileSync(pidFile(paths, spec.name), JSON.stringify(record));
    return child.pid;
  } finally {
    closeSync(out);
  }
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replaceAll('\0', ' ');
  } catch {
    return undefined;
  }
}

/** The pid of the server if it runs (and is the process we started), else undefined. */
export function runningPid(paths: StackPaths, name: string): number | undefined {
  const file = pidFile(paths, name);
  if (!existsSync(file)) return undefined;
  const record = JSON.parse(readFileSync(file, 'utf8')) as PidRecord;
  const cmd = commandLine(record.pid);
  return cmd?.includes(record.signature) ? record.pid : undefined;
}

/** True while the process exists and is not a zombie (signature-free: usable before exec). */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Stops the server's whole process group: SIGTERM, then SIGKILL after the grace period. */
export async function stopDaemon(
  paths: StackPaths,
  name: string,
  graceMs = 30_000,
): Promise<boolean> {
  const pid = runningPid(paths, name);
  rmSync(pidFile(paths, name), { force: true });
  if (pid === undefined) return false;
  process.kill(-pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (groupAlive(pid) && Date.now() < deadline) await sleep(200);
  if (groupAlive(pid)) process.kill(-pid, 'SIGKILL');
  return true;
}

/** The last lines of a server's log, to show why it did not come up. */
export function tailLog(paths: StackPaths, name: string, lines = 25): string {
  try {
    const text = readFileSync(logFile(paths, name), 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch {
    return '(no log written)';
  }
}

/**
 * Polls `isHealthy` until it answers true. Fails fast, with the log tail, when the process
 * exits; fails with the log tail when the deadline passes.
 */
export async function waitUntilHealthy(
  paths: StackPaths,
  name: string,
  pid: number,
  isHealthy: () => Promise<boolean>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await isHealthy().catch(() => false)) return;
    if (!alive(pid)) {
      throw new StackError(
        `${name} exited during start-up; last lines of ${logFile(paths, name)}:\n${tailLog(paths, name)}`,
      );
    }
    if (Date.now() > deadline) {
      throw new StackError(
        `${name} did not become healthy within ${timeoutMs / 1000}s; last lines of ${logFile(paths, name)}:\n${tailLog(paths, name)}`,
      );
    }
    await sleep(500);
  }
}
