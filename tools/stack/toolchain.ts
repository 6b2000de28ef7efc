import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { StackError } from './errors.ts';
import { step } from './progress.ts';

/** Absolute path of an executable on PATH, or undefined. */
export function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, command);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

/** The executable, or a StackError naming what is missing, what needs it and how to get it. */
export function requireTool(command: string, neededFor: string, howToGet: string): string {
  const path = which(command);
  if (!path) throw new StackError(`\`${command}\` not found on PATH: ${neededFor}. ${howToGet}`);
  return path;
}

function javaMajor(home: string): number | undefined {
  try {
    const release = readFileSync(join(home, 'release'), 'utf8');
    const version = /^JAVA_VERSION="(\d+)/m.exec(release)?.[1];
    return version === undefined ? undefined : Number(version);
  } catch {
    return undefined;
  }
}

/**
 * A JDK of at least `minMajor`: ES_JAVA_HOME if set (and then it must qualify), else JAVA_HOME,
 * else the newest one in /usr/lib/jvm.
 */
export function findJdk(minMajor: number, neededFor: string): string {
  const explicit = process.env.ES_JAVA_HOME;
  if (explicit) {
    const major = javaMajor(explicit);
    if (major === undefined || major < minMajor) {
      throw new StackError(
        `ES_JAVA_HOME=${explicit} is Java ${major ?? 'unknown'}; ${neededFor} needs Java >= ${minMajor}`,
      );
    }
    return explicit;
  }
  const jvmRoot = '/usr/lib/jvm';
  const candidates = [
    ...(process.env.JAVA_HOME ? [process.env.JAVA_HOME] : []),
    ...(existsSync(jvmRoot) ? readdirSync(jvmRoot).map((dir) => join(jvmRoot, dir)) : []),
  ]
    .map((home) => ({ home, major: javaMajor(home) ?? 0 }))
    .sort((a, b) => b.major - a.major);
  const best = candidates[0];
  if (!best || best.major < minMajor) {
    const found = candidates.map((c) => `Java ${c.major} at ${c.home}`).join(', ') || 'none';
    throw new StackError(
      `${neededFor} needs a JDK >= ${minMajor} (found: ${found}); install one (e.g. Temurin ${minMajor}+) and set ES_JAVA_HOME`,
    );
  }
  return best.home;
}

interface RunOptions {
  readonly cwd?: string;
  readonly env?: Readonly<Record<string, string>>;
  /** How the command appears in an error, when its arguments hold a secret. */
  readonly shownAs?: string;
}

/**
 * Runs a set-up command, showing its output as progress, and fails with its last lines.
 * Returns its standard output.
 */
export function run(
  label: string,
  command: string,
  args: readonly string[],
  options: RunOptions = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    const recent: string[] = [];
    const show = (chunk: Buffer): void => {
      for (const line of chunk.toString().split('\n')) {
        if (!line.trim()) continue;
        recent.push(line);
        if (recent.length > 30) recent.shift();
        step(label, line.length > 160 ? `${line.slice(0, 157)}...` : line);
      }
    };
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      show(chunk);
    });
    child.stderr.on('data', show);
    child.on('error', (error) => {
      reject(new StackError(`${label}: could not run ${command}: ${error.message}`));
    });
    child.on('close', (code) => {
      if (code === 0) resolve(stdout);
      else
        reject(
          new StackError(
            `${label}: \`${options.shownAs ?? `${command} ${args.join(' ')}`}\` failed (exit ${code ?? 'signal'}):\n${recent.join('\n')}`,
          ),
        );
    });
  });
}
