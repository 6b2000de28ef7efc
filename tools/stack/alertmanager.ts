import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { securedCredentials, webLogin } from './credentials.ts';
import { debianExecutable } from './debian-package.ts';
import { StackError } from './errors.ts';
import { repoRoot } from './paths.ts';
import { answers } from './ports.ts';
import type { StackServer } from './server.ts';
import type { StackSettings } from './settings.ts';
import { which } from './toolchain.ts';

const storage = (s: StackSettings): string => join(s.paths.stateDir, 'alertmanager');

export const alertmanagerConfigPath = join(repoRoot, 'config', 'alertmanager.yml');

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
    return {
      name: 'alertmanager',
      command,
      args: [
        `--config.file=${alertmanagerConfigPath}`,
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
