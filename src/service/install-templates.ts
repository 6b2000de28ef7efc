import { createElasticsearchClient } from '../storage/client.ts';
import { installIndexTemplates } from '../storage/templates.ts';
import { elasticsearchSettings, loadServiceConfig } from './config.ts';

/**
 * `npm run es:templates` (`bin/es-templates.ts`): installs Lantern's index templates and brings existing indices up to
 * them, once. `stack:up` does this itself; this is for every other Elasticsearch (compose.yaml's
 * lantern-setup, or your own cluster before the first `npm run analysis`). Reads the analysis
 * service's LANTERN_ES_* settings; the user needs manage_index_templates, and mapping and
 * settings updates on Lantern's indices. Resolves false (having said why) when it failed.
 */
export async function installTemplatesOnce(): Promise<boolean> {
  const settings = elasticsearchSettings(loadServiceConfig());
  const { url } = settings;
  const client = createElasticsearchClient(settings);
  try {
    const notUpgraded = await installIndexTemplates(client);
    process.stdout.write(`lantern: index templates installed in ${url}\n`);
    for (const problem of notUpgraded) process.stderr.write(`lantern: warning: ${problem}\n`);
    return true;
  } catch (error) {
    process.stderr.write(
      `lantern: could not install index templates in ${url}: ${String(error)}\n`,
    );
    return false;
  } finally {
    await client.close();
  }
}
