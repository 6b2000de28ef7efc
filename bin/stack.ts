/**
 * `npm run stack:up|stack:down|stack:status|stack:credentials`. `--scale` picks the scaled
 * profile: its own state folder and ports (tools/stack/scale-profile.ts), set before any module
 * that reads them is loaded, hence the dynamic imports.
 */
import { scaleProfileEnv } from '../tools/stack/scale-profile.ts';

if (process.argv.includes('--scale')) Object.assign(process.env, scaleProfileEnv(process.env));
const { logDir } = await import('../tools/stack/paths.ts');
const { StackError } = await import('../tools/stack/errors.ts');
const { loadStackSettings } = await import('../tools/stack/settings.ts');
const { runningMode, stackCredentials, stackDown, stackStatus, stackUp } =
  await import('../tools/stack/stack.ts');
const { composeEnvFile } = await import('../tools/stack/compose-credentials.ts');
const { credentialsIn, secureDir } = await import('../tools/stack/credentials.ts');
const { requireNode } = await import('../tools/stack/require-node.ts');

const usage =
  'usage: node bin/stack.ts up [--secure | --scale] | down [--wipe] [--scale] | status [--scale] | credentials';
const options: Record<string, readonly string[]> = {
  up: ['--secure', '--scale'],
  down: ['--wipe', '--scale'],
  status: ['--scale'],
};

async function main(command: string | undefined, flags: readonly string[]): Promise<void> {
  requireNode();
  const unknown = flags.filter((flag) => !(options[command ?? '']?.includes(flag) ?? false));
  if (unknown.length > 0) throw new StackError(`unknown option ${unknown.join(' ')}; ${usage}`);
  // --secure, else whatever mode the running stack was started in.
  if (flags.includes('--secure') || runningMode(loadStackSettings()) === 'secure') {
    process.env.LANTERN_SECURE = '1';
  }
  switch (command) {
    case 'up': {
      const started = Date.now();
      const settings = loadStackSettings();
      const e = await stackUp(settings);
      console.log(`\nLantern stack is up (${((Date.now() - started) / 1000).toFixed(1)}s):`);
      for (const [name, url] of Object.entries(e)) {
        console.log(`  ${name.padEnd(20)} ${Array.isArray(url) ? url.join(', ') : url}`);
      }
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
      await stackDown(loadStackSettings(), { wipe: flags.includes('--wipe') });
      return;
    case 'status': {
      const rows = await stackStatus(loadStackSettings());
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
