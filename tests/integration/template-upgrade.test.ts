import type { estypes } from '@elastic/elasticsearch';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fields } from '../../src/contracts/fields.ts';
import { indices } from '../../src/contracts/indices.ts';
import { installIndexTemplates } from '../../src/storage/templates.ts';
import { es } from '../../tools/harness/stores.ts';

/**
 * A daily index keeps the template it was created from. Upgrading Lantern must still reach
 * today's index: otherwise a fix to the template (here: records with more attributes than the
 * field limit are stored, not rejected) lands only tomorrow, and today's records are lost.
 */
const run = Date.now().toString(36);
const testIndices = `${indices.logs.prefix}-upgrade-*`;
const older = `${indices.logs.prefix}-upgrade-older-${run}`;
const alsoOlder = `${indices.logs.prefix}-upgrade-also-older-${run}`;
const conflicting = `${indices.logs.prefix}-upgrade-conflict-${run}`;
const storageTuned = `${indices.logs.prefix}-upgrade-tuned-${run}`;
const olderTemplate = `lantern-test-older-${run}`;
const manyAttributes = Object.fromEntries(
  Array.from({ length: 1500 }, (_, i) => [`Attributes.upgrade.k${String(i)}`, `v${String(i)}`]),
);

/** Deletes this test's indices, of this run and of any run that died before cleaning up. */
async function deleteTestIndices(): Promise<void> {
  const found = await es.indices.resolveIndex({ name: testIndices });
  const names = found.indices.map((index) => index.name);
  if (names.length > 0) await es.indices.delete({ index: names });
}

/** Creates an index the way an older Lantern did: no field limit escape, no typed fields. */
async function createFromOlderTemplate(
  index: string,
  properties: Record<string, estypes.MappingProperty> = {},
): Promise<void> {
  await es.indices.putIndexTemplate({
    name: olderTemplate,
    index_patterns: [index],
    priority: 1000,
    template: {
      settings: { mapping: { total_fields: { ignore_dynamic_beyond_limit: false } } },
      mappings: { dynamic_templates: [], properties },
    },
  });
  try {
    await es.indices.create({ index });
  } finally {
    await es.indices.deleteIndexTemplate({ name: olderTemplate });
  }
}

const ignoresFieldsBeyondLimit = async (index: string): Promise<unknown> => {
  const settings = await es.indices.getSettings({ index, flat_settings: true });
  return settings[index]?.settings?.['index.mapping.total_fields.ignore_dynamic_beyond_limit'];
};
const traceIdType = async (index: string): Promise<unknown> => {
  const mapping = await es.indices.getMapping({ index });
  return mapping[index]?.mappings.properties?.[fields.traceId]?.type;
};
const mine = (problems: string[]): string[] => problems.filter((p) => p.includes(run));

beforeAll(deleteTestIndices);
afterAll(deleteTestIndices);

describe('installing the templates brings existing indices up to them', () => {
  it('an index made by an older template gets the typed fields and stores what it rejected', async () => {
    await createFromOlderTemplate(older);
    expect(await traceIdType(older)).toBeUndefined();
    const write = () => es.index({ index: older, document: manyAttributes, refresh: 'true' });
    await expect(write()).rejects.toThrow(/Limit of total fields/);

    expect(mine(await installIndexTemplates(es))).toEqual([]);

    expect(await ignoresFieldsBeyondLimit(older)).toBe('true');
    expect(await traceIdType(older)).toBe('keyword');
    await write();
    const stored = await es.search<Record<string, unknown>>({ index: older });
    expect(Object.keys(stored.hits.hits[0]?._source ?? {})).toHaveLength(1500);
  });

  it('leaves an index already at this template version as it is', async () => {
    // `older` was upgraded above; an operator then turns the setting off on purpose.
    await es.indices.putSettings({
      index: older,
      settings: { mapping: { total_fields: { ignore_dynamic_beyond_limit: false } } },
    });

    expect(mine(await installIndexTemplates(es))).toEqual([]);

    expect(await ignoresFieldsBeyondLimit(older)).toBe('false');
  });

  it('names an index whose fields conflict, and still upgrades the others', async () => {
    // An older mapping whose SpanId a newer template types differently.
    await createFromOlderTemplate(conflicting, { [fields.spanId]: { type: 'long' } });
    await createFromOlderTemplate(alsoOlder);

    const problems = mine(await installIndexTemplates(es));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(new RegExp(`^index ${conflicting} keeps its older mapping`));
    expect(problems[0]).toMatch(/SpanId/);
    expect(await traceIdType(alsoOlder)).toBe('keyword');
    expect(await ignoresFieldsBeyondLimit(alsoOlder)).toBe('true');
  });

  it('keeps the parameters of fields an index already has: doc values cannot change on it', async () => {
    // As template v3 made them: TraceId with doc values, Body with norms and Body.raw indexed.
    await createFromOlderTemplate(storageTuned, {
      [fields.traceId]: { type: 'keyword' },
      [fields.log.body]: { type: 'text', fields: { raw: { type: 'keyword' } } },
    });

    // Only the index of another SpanId type (above) is still refused.
    expect(mine(await installIndexTemplates(es))).toEqual([
      expect.stringContaining(`index ${conflicting} keeps its older mapping`),
    ]);

    const mapping = (await es.indices.getMapping({ index: storageTuned }))[storageTuned]?.mappings;
    expect(mapping?.properties?.[fields.traceId]).toEqual({ type: 'keyword' });
    // Fields it lacked come with the template's parameters.
    expect(mapping?.properties?.[fields.log.severityNumber]).toEqual({
      type: 'byte',
      doc_values: false,
    });
    expect(await ignoresFieldsBeyondLimit(storageTuned)).toBe('true');
  });
});

describe('a daily index made from the templates', () => {
  it('is compressed with best_compression', async () => {
    const index = `${indices.spans.prefix}-upgrade-codec-${run}`;
    await es.indices.create({ index });
    const settings = await es.indices.getSettings({ index, flat_settings: true });
    await es.indices.delete({ index });
    expect(settings[index]?.settings?.['index.codec']).toBe('best_compression');
  });
});
