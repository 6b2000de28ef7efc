/**
 * `npm run bench -- why`: what is different about failed or slow requests, measured. First,
 * seeded incidents whose cause is known, sent through the Collector (bench/why/incidents.ts):
 * is the top-ranked value the cause? Then the endpoint's speed over 1e7 spans in 15 minutes
 * against a plain read of the same window and Elasticsearch's significant_terms
 * (bench/why/speed.ts).
 */
import { createElasticsearchClient } from '../src/storage/client.ts';
import type { StackSettings } from '../tools/stack/settings.ts';
import { stackUp } from '../tools/stack/stack.ts';
import { incidentTable, seededIncidents } from './why/incidents.ts';
import { differencesSpeed } from './why/speed.ts';

export async function why(settings: StackSettings): Promise<string> {
  const e = await stackUp(settings);
  const client = createElasticsearchClient({ url: e.elasticsearch, requestTimeoutMs: 300_000 });
  try {
    const parts = (process.env.BENCH_WHY_PARTS ?? 'incidents,speed').split(',');
    const sections: string[] = [];
    if (parts.includes('incidents')) sections.push(incidentTable(await seededIncidents(client)));
    if (parts.includes('speed')) sections.push(await differencesSpeed(client));
    return sections.join('\n\n');
  } finally {
    await client.close();
  }
}
