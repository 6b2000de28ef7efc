import { createElasticsearchClient } from './client.ts';
import { installIndexTemplates } from './templates.ts';

/**
 * One-shot installer of Lantern's index templates, for deployments where Lantern's own start-up
 * does not run first (compose.yaml's lantern-setup service). Reads LANTERN_ES_URL.
 */
const url = process.env.LANTERN_ES_URL ?? 'http://127.0.0.1:9200';
const client = createElasticsearchClient({ url });
try {
  const notApplied = await installIndexTemplates(client);
  process.stdout.write(`lantern: index templates installed in ${url}\n`);
  for (const problem of notApplied) process.stderr.write(`lantern: warning: ${problem}\n`);
} catch (error) {
  process.stderr.write(`lantern: could not install index templates in ${url}: ${String(error)}\n`);
  process.exitCode = 1;
} finally {
  await client.close();
}
