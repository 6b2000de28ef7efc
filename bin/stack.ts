import { logDir } from '../tools/stack/paths.ts';
import { StackError } from '../tools/stack/errors.ts';
import { loadStackSettings } from '../tools/stack/settings.ts';
import {
  runningMode,
  stackCredentials,
  stackDown,
  stackStatus,
  stackUp,
} from '../tools/stack/stack.ts';
import { composeEnvFile } from '../tools/stack/compose-credentials.ts';
import { credentialsIn, secureDir } from '../tools/stack/credentials.ts';
import { requireNode } from '../tools/stack/require-node.ts';

const usage = 'usage: node bin/stack.ts up [--secure] | down [--wipe] | status | credentials';
const options: Record<string, readonly string[]> = { up: ['--secure'], down: ['--wipe'] };

async function main(command: string | undefined, flags: readonly string[]): Promise<void> {
  requireNode();
  const unknown = flags.filter((flag) => !(options[command ?? '']?.includes(flag) ?? false));
  if (unknown.length > 0) throw new StackError(`unknown option ${unknown.join(' ')}; ${usage}`);
  // --secure, else whatever mode the running stack was started in.
  if (flags.includes('--secure') || runningMode() === 'secure') process.env.LANTERN_SECURE = '1';
  switch (command) {
    case 'up': {
      const started = Date.now();
      const settings = loadStackSettings();
      const e = await stackUp(settings);
      console.log(`\nLantern stack is up (${((Date.now() - started) / 1000).toFixed(1)}s):`);
      for (const [name, url] of Object.entries(e)) console.log(`  ${name.padEnd(20)} ${url}`);
      console.log(`  logs                 ${logDir}`);
      if (settings.LANTERN_SECURE) {
        const credentials = credentialsIn();
        console.log('  secured mode: load with `set -a; . <file>; set +a`');
        console.log(`    services:          ${credentials.serviceEnvFile}`);
        console.log(`    analysis service:  ${credentials.analysisEnvFile}`);
      }
      return;
    }
    case 'credentials': {
      // The secured mode's files, for compose.secure.yaml; nothing is started.
      await stackCredentials(loadStackSettings({ ...process.env, LANTERN_SECURE: '1' }));
      console.log(`secured mode's certificates and secrets are in ${secureDir}`);
      console.log(
        `  compose: docker compose --env-file ${composeEnvFile} -f compose.yaml -f compose.secure.yaml up`,
      );
      return;
    }
    case 'down':
      await stackDown({ wipe: flags.includes('--wipe') });
      return;
    case 'status': {
      const rows = await stackStatus(loadStackSettings());
      console.log(`${'server'.padEnd(14)}${'pid'.padEnd(9)}${'health'.padEnd(10)}ports`);
      for (const row of rows) {
        const pid = row.pid === undefined ? 'stopped' : String(row.pid);
        const health = row.healthy ? 'healthy' : row.pid === undefined ? '-' : 'UNHEALTHY';
        console.log(
          `${row.name.padEnd(14)}${pid.padEnd(9)}${health.padEnd(10)}${row.ports.join(', ')}`,
        );
      }
      console.log(`logs: ${logDir}`);
      return;
    }
    default:
      throw new StackError(usage);
  }
}

main(process.argv[2], process.argv.slice(3)).catch((error: unknown) => {
  if (error instanceof StackError) console.error(`[lantern] error: ${error.message}`);
  else console.error(error);
  process.exitCode = 1;
});
