import { logDir } from './paths.ts';
import { StackError } from './errors.ts';
import { loadStackSettings } from './settings.ts';
import { stackDown, stackStatus, stackUp } from './stack.ts';
import { requireNode } from './require-node.ts';

const usage = 'usage: node src/stack/cli.ts up|down|status';

async function main(command: string | undefined): Promise<void> {
  requireNode();
  switch (command) {
    case 'up': {
      const started = Date.now();
      const e = await stackUp(loadStackSettings());
      console.log(`\nLantern stack is up (${((Date.now() - started) / 1000).toFixed(1)}s):`);
      for (const [name, url] of Object.entries(e)) console.log(`  ${name.padEnd(20)} ${url}`);
      console.log(`  logs                 ${logDir}`);
      return;
    }
    case 'down':
      await stackDown();
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

main(process.argv[2]).catch((error: unknown) => {
  if (error instanceof StackError) console.error(`[lantern] error: ${error.message}`);
  else console.error(error);
  process.exitCode = 1;
});
