import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { writeAlertmanagerConfig } from '../../src/service/alertmanager-config-file.ts';
import { securedCredentials, webLogin } from './credentials.ts';
import { debianExecutable } from './debian-package.ts';
import { StackError } from './errors.ts';
import { repoRoot } from './paths.ts';
import { answers } from './ports.ts';
import type { StackServer } from './server.ts';
import type { StackSettings } from './settings.ts';
import { which } from './toolchain.ts';

const storage = (s: StackSettings): string => join(s.paths.stateDir, 'alertmanager');

/** Where the stack writes Alertmanager's configuration, rendered from the notifications file. */
export const alertmanagerConfigPath = (s: StackSettings): string =>
  join(s.paths.stateDir, 'alertmanager.yml');

/** Where Alertmanager hands notifications to Lantern: the analysis API of the profile. */
export const lanternUrl = (s: StackSettings): string =>
  `http://127.0.0.1:${String(s.LANTERN_ANALYSIS_PORT)}`;

/**
 * Renders Alertmanager's configuration from LANTERN_NOTIFICATIONS_FILE (config/notifications.yaml
 * by default) for Lantern at `url`; a notifications file that is invalid stops here, naming the
 * field. Tests render their own policy and reload Alertmanager (`POST /-/reload`).
 */
export function renderAlertmanagerConfig(
  s: StackSettings,
  url = lanternUrl(s),
  notificationsFile = process.env.LANTERN_NOTIFICATIONS_FILE ||
    join(repoRoot, 'config', 'notifications.yaml'),
): void {
  const tokenFile = securedCredentials(s)?.apiTokenFile;
  try {
    writeAlertmanagerConfig(notificationsFile, { url, tokenFile }, alertmanagerConfigPath(s));
  } catch (error) {
    throw new StackError((error as Error).message);
  }
}

export const alertmanager: StackServer = {
  name: 'alertmanager',
  startTimeoutSeconds: 60,
  dataDirs: (s) => [storage(s)],
  ports: (s) => [{ port: s.LANTERN_ALERTMANAGER_PORT, variable: 'LANTERN_ALERTMANAGER_PORT' }],
  async obtain() {
    await debianExecutable('prometheus-alertmanager', 'prometheus-alertmanager');
  },
  daemon(s) {
    const credentials = securedCredentials(s);
    const command = which('prometheus-alertmanager');
    if (!command) {
      throw new StackError(
        '`prometheus-alertmanager` not found on PATH (Debian package "prometheus-alertmanager")',
      );
    }
    mkdirSync(storage(s), { recursive: true });
    renderAlertmanagerConfig(s);
    return {
      name: 'alertmanager',
      command,
      args: [
        `--config.file=${alertmanagerConfigPath(s)}`,
        `--storage.path=${storage(s)}`,
        `--web.listen-address=127.0.0.1:${s.LANTERN_ALERTMANAGER_PORT}`,
        // A single instance: no gossip port.
        '--cluster.listen-address=',
        // Secured mode: TLS with a certificate of the local CA, and basic auth.
        ...(credentials ? [`--web.config.file=${credentials.alertmanagerWebConfig}`] : []),
      ],
      signature: 'alertmanager',
    };
  },
  healthy: (e, s) => answers(`${e.alertmanager}/-/ready`, webLogin('alertmanager', s)),
  describe: (e) =>
    `${e.alertmanager}  (API: /api/v2/alerts)${e.alertmanager.startsWith('https:') ? ', TLS + basic auth' : ''}`,
};
