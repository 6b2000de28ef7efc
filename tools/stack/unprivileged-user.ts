import { execFileSync } from 'node:child_process';
import { StackError } from './errors.ts';
import { step } from './progress.ts';

const USER = 'lantern';

function lookup(): { uid: number; gid: number } | undefined {
  try {
    const uid = Number(
      execFileSync('id', ['-u', USER], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim(),
    );
    const gid = Number(
      execFileSync('id', ['-g', USER], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim(),
    );
    return { uid, gid };
  } catch {
    return undefined;
  }
}

/**
 * The system user `lantern` that servers refusing root (Elasticsearch) run as when the stack is
 * started by root; created on first use.
 */
export function unprivilegedUser(): { uid: number; gid: number } {
  const existing = lookup();
  if (existing) return existing;
  step('stack', `creating system user "${USER}" to run Elasticsearch (it refuses to run as root)`);
  try {
    execFileSync(
      'useradd',
      ['--system', '--user-group', '--no-create-home', '--shell', '/usr/sbin/nologin', USER],
      { stdio: 'inherit' },
    );
  } catch (error) {
    throw new StackError(
      `could not create system user "${USER}" with useradd (${String(error)}); create it yourself or run the stack as a non-root user`,
    );
  }
  const created = lookup();
  if (!created) throw new StackError(`user "${USER}" still missing after useradd`);
  return created;
}
