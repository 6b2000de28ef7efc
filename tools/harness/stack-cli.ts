import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../stack/paths.ts';

/**
 * Runs the stack CLI (`node bin/stack.ts …`) against the stack that `env` names, exactly as a
 * user runs it; resolves with its whole output, and with `echo` also shows it as it comes (a
 * first start builds for minutes). A child process, so the test run's own environment never
 * changes.
 */
export function stackCli(
  env: Readonly<Record<string, string>>,
  args: readonly string[],
  echo = false,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin/stack.ts'), ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer): void => {
      output += chunk.toString();
      if (echo) process.stderr.write(chunk);
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`stack ${args.join(' ')} failed (exit ${String(code)}):\n${output}`));
    });
  });
}

/** The environment of a stack beside the default one: its own state folder, every port moved. */
export function stackBeside(
  defaults: Readonly<Record<string, unknown>>,
  stateDir: string,
  portShift: number,
): Readonly<Record<string, string>> {
  return {
    LANTERN_STATE_DIR: stateDir,
    ...Object.fromEntries(
      Object.entries(defaults)
        .filter(([key]) => key.endsWith('_PORT'))
        .map(([key, port]) => [key, String(Number(port) + portShift)]),
    ),
  };
}
