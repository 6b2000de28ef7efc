import { elasticsearchSettings, loadServiceConfig } from '../service/config.ts';
import { createElasticsearchClient } from './client.ts';
import { installIndexTemplates } from './templates.ts';

/**
 * `npm run es:templates`: installs Lantern's index templates and brings existing indices up to
 * them, once. `stack:up` does this itself; this is for every other Elasticsearch (compose.yaml's
 * lantern-setup, or your own cluster before the first `npm run analysis`). Reads the analysis
 * service's LANTERN_ES_* settings; the user needs manage_index_templates, and mapping and
 * settings updates on Lantern's indices.
 */
const settings = elasticsearchSettings(loadServiceConfig());
const { url } = settings;
const client = createElasticsearchClient(settings);
try {
  const notUpgraded = await installIndexTemplates(client);
  process.stdout.write(`lantern: index templates installed in ${url}\n`);
  for (const problem of notUpgraded) process.stderr.write(`lantern: warning: ${problem}\n`);
} catch (error) {
  process.stderr.write(`lantern: could not install index templates in ${url}: ${String(error)}\n`);
  process.exitCode = 1;
} finally {
  await client.close();
}
