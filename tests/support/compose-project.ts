import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { goEnv, requireGo } from '../../tools/stack/go-build.ts';
import { repoRoot } from '../../tools/stack/paths.ts';

export interface Service {
  command?: string[];
  environment?: Record<string, string>;
  ports?: { target: number; published: string; host_ip: string }[];
  volumes?: { source: string; target: string }[];
  profiles?: string[];
  deploy?: { replicas?: number };
}
export interface Project {
  services: Record<string, Service>;
}

/**
 * Loads a compose file with compose-go (Docker Compose's own loader and schema validation);
 * throws with its message when the file is invalid.
 */
export function loadCompose(
  files: string | readonly string[],
  env: Record<string, string> = {},
): Project {
  const output = execFileSync(requireGo(), ['run', '.', ...[files].flat()], {
    cwd: join(repoRoot, 'tools', 'compose-check'),
    env: { ...process.env, ...goEnv(), ...env },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return JSON.parse(output) as Project;
}
