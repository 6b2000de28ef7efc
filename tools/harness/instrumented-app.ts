import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../stack/paths.ts';
import { stack } from './otlp.ts';

export interface RunningApp {
  readonly child: ChildProcess;
  readonly url: string;
  readonly stderr: () => string;
  readonly stdout: () => string;
  /** Resolves with the exit code or signal once the process has exited. */
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  stop(signal?: NodeJS.Signals): Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export interface AppOptions {
  /** `--import` (ESM apps) or `--require` (CJS apps), exactly as users start them; none: plain. */
  readonly loader: '--import' | '--require' | 'none';
  /** What the loader preloads; default lantern/register (benchmarks preload their controls). */
  readonly preload?: string;
  readonly script: string;
  readonly service: string;
  readonly env?: Record<string, string>;
  /** Cores to run the app on (`taskset -c`), so a load generator on another core stays off it. */
  readonly cores?: string;
  /** A command the app runs under, such as `valgrind --tool=callgrind …` (after taskset). */
  readonly launcher?: readonly string[];
  /** Node or V8 flags before the loader (V8's own flags are not allowed in NODE_OPTIONS). */
  readonly nodeFlags?: readonly string[];
  /** How long the app may take to print its port (default 20 s; an app under valgrind is slower). */
  readonly startTimeoutMs?: number;
}

/**
 * Starts an unchanged app under `node <loader> lantern/register`, sending to the real stack's
 * Collector unless env overrides it, and waits for the line that gives its port.
 */
export function startApp(options: AppOptions): Promise<RunningApp> {
  const loader =
    options.loader === 'none' ? [] : [options.loader, options.preload ?? 'lantern/register'];
  const command = [
    ...(options.cores === undefined ? [] : ['taskset', '-c', options.cores]),
    ...(options.launcher ?? []),
    process.execPath,
    ...(options.nodeFlags ?? []),
    ...loader,
    join(repoRoot, options.script),
  ];
  const [file = '', ...args] = command;
  const child = spawn(file, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      OTEL_SERVICE_NAME: options.service,
      OTEL_EXPORTER_OTLP_ENDPOINT: stack.otlpHttp,
      PORT: '0',
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      resolve({ code, signal });
    });
  });
  return new Promise((resolve, reject) => {
    let stdout = '';
    const timer = setTimeout(() => {
      reject(new Error(`${options.script} did not start; stderr:\n${stderr}`));
    }, options.startTimeoutMs ?? 20_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const port = stdout
        .split('\n')
        .map(listeningPort)
        .find((p) => p !== undefined);
      if (port === undefined) return;
      clearTimeout(timer);
      resolve({
        child,
        url: `http://127.0.0.1:${String(port)}`,
        stderr: () => stderr,
        stdout: () => stdout,
        exited,
        async stop(signal = 'SIGTERM') {
          if (child.exitCode === null && child.signalCode === null) child.kill(signal);
          return exited;
        },
      });
    });
    void exited.then(({ code }) => {
      clearTimeout(timer);
      reject(new Error(`${options.script} exited with ${String(code)}; stderr:\n${stderr}`));
    });
  });
}

/**
 * The port a line of the app's stdout says it listens on: a fixture's `{"listening":port}`, or
 * the analysis service's log line (pino JSON) whose message says it is listening, with `port`.
 */
function listeningPort(line: string): number | undefined {
  if (!line.startsWith('{')) return undefined;
  let entry: { listening?: unknown; msg?: unknown; port?: unknown };
  try {
    entry = JSON.parse(line) as typeof entry;
  } catch {
    return undefined; // a line still being written
  }
  if (typeof entry.listening === 'number') return entry.listening;
  const says = typeof entry.msg === 'string' && entry.msg.includes('listening');
  return says && typeof entry.port === 'number' ? entry.port : undefined;
}

/** A W3C traceparent for a request whose trace id the test chooses (sampled flag set). */
export const traceparent = (traceId: string, spanId: string): string =>
  `00-${traceId}-${spanId}-01`;

/** Resident memory of a process, MiB. */
export const rssMiB = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
