import { afterAll, describe, expect, it } from 'vitest';
import { indices } from '../../src/storage/indices.ts';
import { installIndexTemplates } from '../../src/storage/templates.ts';
import { es } from '../support/stores.ts';

/**
 * A daily index keeps the template it was created from. Upgrading Lantern must still reach
 * today's index: otherwise a fix to the template (here: records with more attributes than the
 * field limit are stored, not rejected) lands only tomorrow, and today's records are lost.
 */
const run = Date.now().toString(36);
const older = `${indices.logs.prefix}-upgrade-${run}`;
const conflicting = `${indices.logs.prefix}-conflict-${run}`;
const manyAttributes = Object.fromEntries(
  Array.from({ length: 1500 }, (_, i) => [`Attributes.upgrade.k${String(i)}`, `v${String(i)}`]),
);

afterAll(async () => {
  await es.indices.delete({ index: [older, conflicting], ignore_unavailable: true });
});

const ignoresFieldsBeyondLimit = async (index: string): Promise<unknown> => {
  const settings = await es.indices.getSettings({ index, flat_settings: true });
  return settings[index]?.settings?.['index.mapping.total_fields.ignore_dynamic_beyond_limit'];
};

describe('installing the templates brings existing indices up to them', () => {
  it('an index made by an older template stores records it used to reject', async () => {
    await es.indices.create({
      index: older,
      settings: { mapping: { total_fields: { ignore_dynamic_beyond_limit: false } } },
    });
    const write = () => es.index({ index: older, document: manyAttributes, refresh: 'true' });
    await expect(write()).rejects.toThrow(/Limit of total fields/);

    expect(await installIndexTemplates(es)).toEqual([]);

    expect(await ignoresFieldsBeyondLimit(older)).toBe('true');
    await write();
    const stored = await es.search<Record<string, unknown>>({ index: older });
    expect(Object.keys(stored.hits.hits[0]?._source ?? {})).toHaveLength(1500);
  });

  it('names the indices whose mapping conflicts, and still updates their settings', async () => {
    await es.indices.create({
      index: conflicting,
      mappings: { properties: { SpanId: { type: 'long' } } },
      settings: { mapping: { total_fields: { ignore_dynamic_beyond_limit: false } } },
    });

    const notApplied = await installIndexTemplates(es);

    expect(notApplied).toHaveLength(1);
    expect(notApplied[0]).toContain(indices.logs.pattern);
    expect(notApplied[0]).toMatch(/SpanId/);
    expect(await ignoresFieldsBeyondLimit(conflicting)).toBe('true');
    await es.indices.delete({ index: conflicting });
    expect(await installIndexTemplates(es)).toEqual([]);
  });
});
