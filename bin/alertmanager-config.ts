/**
 * `node bin/alertmanager-config.ts --lantern-url http://analysis:8080 --out <file>`: renders
 * Alertmanager's configuration from LANTERN_NOTIFICATIONS_FILE (config/notifications.yaml by
 * default). compose.yaml runs it once before Alertmanager starts; the local stack renders the
 * same way itself.
 */
import { parseArgs } from 'node:util';
import { defaultNotificationsFile } from '../src/service/config.ts';
import { writeAlertmanagerConfig } from '../src/service/alertmanager-config-file.ts';

const { values } = parseArgs({
  options: {
    'lantern-url': { type: 'string' },
    out: { type: 'string' },
    'token-file': { type: 'string' },
    'ca-file': { type: 'string' },
  },
});
const lanternUrl = values['lantern-url'];
const out = values.out;
if (lanternUrl === undefined || out === undefined) {
  console.error(
    'usage: alertmanager-config.ts --lantern-url <url> --out <file> [--token-file <file>] [--ca-file <file>]',
  );
  process.exit(2);
}
try {
  writeAlertmanagerConfig(
    process.env.LANTERN_NOTIFICATIONS_FILE || defaultNotificationsFile,
    { url: lanternUrl, tokenFile: values['token-file'], caFile: values['ca-file'] },
    out,
  );
} catch (error) {
  console.error((error as Error).message);
  process.exit(1);
}
