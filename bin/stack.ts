/**
 * `npm run stack:up|stack:down|stack:status|stack:credentials`. `--scale` picks the scaled
 * profile: its own state folder and ports (tools/stack/scale-profile.ts), laid over this
 * process's environment before the settings are read from it, once.
 */
import { composeEnvFile } from '../tools/stack/compose-credentials.ts';
import { credentialsIn, secureDir } from '../tools/stack/credentials.ts';
import { StackError } from '../tools/stack/errors.ts';
import { requireNode } from '../tools/stack/require-node.ts';
import { scaleProfileEnv } from '../tools/stack/scale-profile.ts';
import { loadStackSettings, type StackSettings } from '../tools/stack/settings.ts';
import {
  runningMode,
  stackCredentials,
  stackDown,
  stackStatus,
  stackUp,
} from '../tools/stack/stack.ts';

const usage =
  'usage: node bin/stack.ts up [--secure | --scale] | down [--wipe] [--scale] | status [--scale] | credentials';
const options: Record<string, readonly string[]> = {
  up: ['--secure', '--scale'],
  down: ['--wipe', '--scale'],
  status: ['--scale'],
};

/** The settings the command works on: the profile the flags name, in the mode it runs in. */
function settingsFor(command: string | undefined, flags: readonly string[]): StackSettings {
  const env = flags.includes('--scale')
    ? { ...process.env, ...scaleProfileEnv(process.env) }
    : process.env;
  const settings = loadStackSettings(env);
  // The secured mode's files are made by `credentials` whatever runs; otherwise --secure, else
  // whatever mode the running stack was started in.
  const secure =
    command === 'credentials' || flags.includes('--secure') || runningMode(settings) === 'secure';
  return secure ? Object.freeze({ ...settings, LANTERN_SECURE: true }) : settings;
}

async function main(command: string | undefined, flags: readonly string[]): Promise<void> {
  requireNode();
  const unknown = flags.filter((flag) => !(options[command ?? '']?.includes(flag) ?? false));
  if (unknown.length > 0) throw new StackError(`unknown option ${unknown.join(' ')}; ${usage}`);
  const settings = settingsFor(command, flags);
  const { logDir } = settings.paths;
  switch (command) {
    case 'up': {
      const started = Date.now();
      const e = await stackUp(settings);
      console.log(`\nLantern stack is up (${((Date.now() - started) / 1000).toFixed(1)}s):`);
      for (const [name, url] of Object.entries(e)) {
        console.log(`  ${name.padEnd(20)} ${Array.isArray(url) ? url.join(', ') : url}`);
      }
      console.log(`  logs                 ${logDir}`);
      if (settings.LANTERN_SECURE) {
        const credentials = credentialsIn(secureDir(settings.paths));
        console.log('  secured mode: load with `set -a; . <file>; set +a`');
        console.log(`    services:          ${credentials.serviceEnvFile}`);
        console.log(`    analysis service:  ${credentials.analysisEnvFile}`);
      }
      return;
    }
    case 'credentials': {
      // The secured mode's files, for compose.secure.yaml; nothing is started.
      await stackCredentials(settings);
      const dir = secureDir(settings.paths);
      console.log(`secured mode's certificates and secrets are in ${dir}`);
      console.log(
        `  compose: docker compose --env-file ${composeEnvFile(dir)} -f compose.yaml -f compose.secure.yaml up`,
      );
      return;
    }
    case 'down':
      await stackDown(settings, { wipe: flags.includes('--wipe') });
      return;
    case 'status': {
      const rows = await stackStatus(settings);
      console.log(`${'server'.padEnd(22)}${'pid'.padEnd(9)}${'health'.padEnd(10)}ports`);
      for (const row of rows) {
        const pid = row.pid === undefined ? 'stopped' : String(row.pid);
        const health = row.healthy ? 'healthy' : row.pid === undefined ? '-' : 'UNHEALTHY';
        console.log(
          `${row.name.padEnd(22)}${pid.padEnd(9)}${health.padEnd(10)}${row.ports.join(', ')}`,
        );
      }
      console.log(`logs: ${logDir}`);
      return;
    }
    default:
      throw new StackError(usage);
  }
}

try {
  await main(process.argv[2], process.argv.slice(3));
} catch (error) {
  if (error instanceof StackError) console.error(`[lantern] error: ${error.message}`);
  else console.error(error);
  process.exitCode = 1;
}
