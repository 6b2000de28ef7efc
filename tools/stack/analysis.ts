import { join } from 'node:path';
import { repoRoot } from './paths.ts';
import { answers } from './ports.ts';
import type { StackServer } from './server.ts';
import {
  collectorEndpoints,
  elasticsearchUrls,
  endpoints,
  type StackSettings,
} from './settings.ts';
import { analysisReplicas, collectorInstances, type Instance } from './topology.ts';

const replicaUrl = (s: StackSettings, replica: Instance): string =>
  `http://127.0.0.1:${String(s.LANTERN_ANALYSIS_PORT + replica.offset)}`;

/**
 * One replica of the analysis service, which the scaled profile runs itself (the default
 * profile's one is `npm start`'s). Every replica serves the API and the console; the alert
 * lease in Elasticsearch picks the one that evaluates rules and notifies.
 */
export function analysisServer(replica: Instance): StackServer {
  return {
    name: replica.name,
    startTimeoutSeconds: 60,
    // Its alert state lives in Elasticsearch.
    dataDirs: () => [],
    ports: (s) => [
      { port: s.LANTERN_ANALYSIS_PORT + replica.offset, variable: 'LANTERN_ANALYSIS_PORT' },
    ],
    obtain: () => Promise.resolve(),
    daemon(s) {
      const e = endpoints(s);
      const [gateway] = collectorInstances(s);
      return {
        name: replica.name,
        command: process.execPath,
        args: [join(repoRoot, 'bin', 'analysis.ts')],
        env: {
          PORT: String(s.LANTERN_ANALYSIS_PORT + replica.offset),
          LANTERN_REPLICA_ID: replica.name,
          LANTERN_PUBLIC_URL: replicaUrl(s, replica),
          LANTERN_ES_URL: elasticsearchUrls(s).join(','),
          LANTERN_ALERTMANAGER_URL: e.alertmanager,
          LANTERN_JAEGER_URL: e.jaeger,
          ...(gateway && {
            LANTERN_COLLECTOR_HEALTH_URL: collectorEndpoints(s, gateway).collectorHealth,
          }),
        },
        cwd: repoRoot,
        signature: 'bin/analysis.ts',
      };
    },
    healthy: (_e, s) => answers(`${replicaUrl(s, replica)}/healthz`),
    describe: (_e, s) => `${replicaUrl(s, replica)}  (console and API)`,
  };
}

/** The replicas a profile runs (none in the default one). */
export const analysisServers = (s: StackSettings): StackServer[] =>
  analysisReplicas(s).map(analysisServer);
