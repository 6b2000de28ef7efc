/**
 * `npm test` after the checks: every vitest project, in two lanes at once. The projects that run
 * against real servers each have a stack of their own (own ports, own state folder), and they
 * spend most of their time waiting on those servers, so two lanes finish in about half the time
 * one would on two cores. Within a lane, files run one at a time, as each project asks.
 *
 * dist/ is built once, first: the apps under test load lantern/register from it, and a set-up
 * that rebuilt it while the other lane ran would pull it from under that lane's tests. The first
 * lane shows its output as it comes; the second's is kept and shown when it ends, whole.
 */
import { spawn, spawnSync } from 'node:child_process';
import { repoRoot } from '../tools/stack/paths.ts';

const LANES = [
  ['unit', 'stack'],
  ['secure', 'scale', 'faults'],
] as const;

const build = spawnSync('npm', ['run', '--silent', 'build'], { cwd: repoRoot, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);

function lane(
  projects: readonly string[],
  shown: boolean,
): Promise<{ code: number; output: string }> {
  const args = ['vitest', 'run', ...projects.flatMap((name) => ['--project', name])];
  const child = spawn('npx', args, {
    cwd: repoRoot,
    env: { ...process.env, LANTERN_TEST_DIST_BUILT: '1' },
    stdio: ['ignore', shown ? 'inherit' : 'pipe', shown ? 'inherit' : 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => {
    child.on('close', (code) => {
      resolve({ code: code ?? 1, output });
    });
  });
}

const started = Date.now();
const [first, ...others] = LANES;
const results = await Promise.all([
  lane(first, true),
  ...others.map((projects) => lane(projects, false)),
]);
for (const [i, result] of results.slice(1).entries()) {
  process.stdout.write(
    `\n── lane ${String(i + 2)}: ${others[i]?.join(', ') ?? ''} ──\n${result.output}`,
  );
}
const failed = results.filter((result) => result.code !== 0).length;
process.stdout.write(
  `\n${String(LANES.length - failed)} of ${String(LANES.length)} lanes passed in ${((Date.now() - started) / 1000).toFixed(0)} s\n`,
);
process.exitCode = failed > 0 ? 1 : 0;
