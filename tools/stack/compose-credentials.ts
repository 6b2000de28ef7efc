import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StackCredentials } from './credentials.ts';
import { roles } from './elasticsearch-security.ts';

/**
 * Variables compose.secure.yaml interpolates: `docker compose --env-file <this file> …`, in the
 * secured stack's secrets folder `dir` (secureDir).
 */
export const composeEnvFile = (dir: string): string => join(dir, 'compose.env');

/**
 * What the secured compose variant reads from the secured stack's folder, beside the
 * certificates and login files the local stack uses: the secrets as compose variables, and
 * Elasticsearch's roles (the container adds the users at start).
 */
export function writeComposeCredentials(dir: string, credentials: StackCredentials): void {
  const variables = {
    LANTERN_ES_INGEST_PASSWORD: credentials.ingestPassword,
    LANTERN_ES_ANALYSIS_PASSWORD: credentials.analysisPassword,
    LANTERN_ES_SETUP_PASSWORD: credentials.setupPassword,
    LANTERN_OTLP_TOKEN: credentials.otlpToken,
    LANTERN_API_TOKEN: credentials.apiToken,
    LANTERN_ALERTMANAGER_PASSWORD: credentials.alertmanagerPassword,
    LANTERN_JAEGER_PASSWORD: credentials.jaegerPassword,
    LANTERN_JAEGER_STORAGE_TOKEN: credentials.jaegerStorageToken,
  };
  writeFileSync(
    composeEnvFile(dir),
    [
      '# Secrets of the secured compose variant, made by `npm run stack:credentials`. Use with:',
      '# docker compose --env-file .lantern/secure/compose.env -f compose.yaml -f compose.secure.yaml up',
      ...Object.entries(variables).map(([name, value]) => `${name}=${value}`),
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  writeFileSync(join(dir, 'elasticsearch-roles.yml'), roles, { mode: 0o600 });
}
