import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { credentialsIn, type StackCredentials } from '../../src/stack/credentials.ts';
import { repoRoot, stateDir } from '../../src/stack/paths.ts';
import { endpoints, loadStackSettings, type StackEndpoints } from '../../src/stack/settings.ts';

/**
 * A second, secured stack for the security tests: its own state folder and every port moved by
 * 20000, so it runs beside the plain stack the other suites use. Started as a child process
 * (`node src/stack/cli.ts up --secure`), exactly as a user starts it.
 */
const defaults = loadStackSettings({});
const PORT_SHIFT = 20_000;

export const secureStackEnv: Readonly<Record<string, string>> = {
  LANTERN_STATE_DIR: join(stateDir, 'secure-test-stack'),
  ...Object.fromEntries(
    Object.entries(defaults)
      .filter(([key]) => key.endsWith('_PORT'))
      .map(([key, port]) => [key, String(Number(port) + PORT_SHIFT)]),
  ),
};

export const secureStack: StackEndpoints = endpoints(
  loadStackSettings({ ...secureStackEnv, LANTERN_SECURE: '1' }),
);

export const secureCredentials = (): StackCredentials =>
  credentialsIn(join(secureStackEnv.LANTERN_STATE_DIR ?? '', 'secure'));

/** Runs the stack CLI against the secured test stack; resolves with its whole output. */
export function secureStackCli(...args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(repoRoot, 'src/stack/cli.ts'), ...args], {
      env: { ...process.env, ...secureStackEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(output);
      else reject(new Error(`stack ${args.join(' ')} failed (exit ${String(code)}):\n${output}`));
    });
  });
}
