import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the Lantern checkout (holds otel-collector.yaml, collector/, config/). */
export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

/**
 * Runtime state of the local stack (pids, logs, data, rendered configs): git-ignored,
 * one per checkout, so two clones can each run their own stack on different ports.
 */
export const stateDir = resolve(process.env.LANTERN_STATE_DIR ?? join(repoRoot, '.lantern'));

export const isRoot = process.getuid?.() === 0;

/**
 * Everything downloaded or built, shared by every checkout so a second `stack:up` starts in
 * seconds. As root it lives under /var/cache: Elasticsearch refuses to run as root, and the
 * unprivileged user it runs as cannot read /root.
 */
export const cacheDir = resolve(
  process.env.LANTERN_CACHE_DIR ??
    (isRoot
      ? '/var/cache/lantern'
      : join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'lantern')),
);

/** Short stable id of this checkout, used where state must live outside the work tree. */
export const checkoutId = createHash('sha256').update(stateDir).digest('hex').slice(0, 12);

export const logDir = join(stateDir, 'logs');
export const runDir = join(stateDir, 'run');
export const logFile = (server: string): string => join(logDir, `${server}.log`);
