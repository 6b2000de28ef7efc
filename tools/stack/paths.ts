import { createHash } from 'node:crypto';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Root of the Lantern checkout (holds otel-collector.yaml, collector/, config/). */
export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export const isRoot = process.getuid?.() === 0;

/** Where one stack keeps its state, and where every stack finds what was downloaded or built. */
export interface StackPaths {
  /**
   * Runtime state of the stack (pids, logs, data, rendered configs): git-ignored, one per
   * checkout and profile, so stacks side by side never share data.
   */
  readonly stateDir: string;
  readonly logDir: string;
  readonly runDir: string;
  /**
   * Everything downloaded or built, shared by every checkout so a second `stack:up` starts in
   * seconds. As root it lives under /var/cache: Elasticsearch refuses to run as root, and the
   * unprivileged user it runs as cannot read /root.
   */
  readonly cacheDir: string;
  /** Short stable id of the state folder, used where state must live outside the work tree. */
  readonly checkoutId: string;
}

/** The variables the paths are read from; the rest of the stack's settings are in settings.ts. */
export type PathsEnv = Readonly<
  Partial<Record<'LANTERN_STATE_DIR' | 'LANTERN_CACHE_DIR' | 'XDG_CACHE_HOME' | 'HOME', string>>
>;

/** The paths of the stack `env` names (LANTERN_STATE_DIR, LANTERN_CACHE_DIR). */
export function stackPaths(env: PathsEnv): StackPaths {
  const stateDir = resolve(env.LANTERN_STATE_DIR ?? join(repoRoot, '.lantern'));
  const userCache = join(env.XDG_CACHE_HOME ?? join(env.HOME ?? homedir(), '.cache'), 'lantern');
  return Object.freeze({
    stateDir,
    logDir: join(stateDir, 'logs'),
    runDir: join(stateDir, 'run'),
    cacheDir: resolve(env.LANTERN_CACHE_DIR ?? (isRoot ? '/var/cache/lantern' : userCache)),
    checkoutId: createHash('sha256').update(stateDir).digest('hex').slice(0, 12),
  });
}

/** The log file of one server (or demo process) of the stack. */
export const logFile = (paths: StackPaths, server: string): string =>
  join(paths.logDir, `${server}.log`);
