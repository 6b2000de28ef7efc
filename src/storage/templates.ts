import type { Client, estypes } from '@elastic/elasticsearch';
import { indices } from '../contracts/indices.ts';

/** Bumped whenever a template changes, so a newer template replaces an older one. */
export const TEMPLATE_VERSION = 3;

type Mappings = NonNullable<
  NonNullable<estypes.IndicesPutIndexTemplateRequest['template']>['mappings']
>;

/**
 * Attribute strings are exact-match keywords (ids, routes, status texts); numbers keep their
 * dynamic numeric type. Long strings stay in _source but are not indexed.
 */
const dynamicTemplates: Mappings['dynamic_templates'] = [
  {
    strings_as_keywords: {
      match_mapping_type: 'string',
      mapping: { type: 'keyword', ignore_above: 1024 },
    },
  },
];

const common: Mappings['properties'] = {
  '@timestamp': { type: 'date_nanos' },
  TraceId: { type: 'keyword' },
  SpanId: { type: 'keyword' },
  Resource: {
    properties: {
      service: {
        properties: { name: { type: 'keyword' }, version: { type: 'keyword' } },
      },
    },
  },
};

const logMappings: Mappings = {
  dynamic_templates: dynamicTemplates,
  properties: {
    ...common,
    TraceFlags: { type: 'integer' },
    SeverityText: { type: 'keyword' },
    SeverityNumber: { type: 'byte' },
    Body: { type: 'text', fields: { raw: { type: 'keyword', ignore_above: 2048 } } },
  },
};

const spanMappings: Mappings = {
  dynamic_templates: dynamicTemplates,
  properties: {
    ...common,
    EndTimestamp: { type: 'date_nanos' },
    ParentSpanId: { type: 'keyword' },
    Name: { type: 'keyword' },
    Kind: { type: 'keyword' },
    TraceStatus: { type: 'byte' },
    TraceStatusDescription: { type: 'text' },
    Duration: { type: 'long' },
    Link: { type: 'text', index: false },
    Attributes: {
      properties: {
        lantern: { properties: { sampling: { properties: { weight: { type: 'double' } } } } },
        http: {
          properties: {
            route: { type: 'keyword' },
            response: { properties: { status_code: { type: 'integer' } } },
          },
        },
      },
    },
  },
};

const alertMappings: Mappings = {
  dynamic: false,
  properties: {
    id: { type: 'keyword' },
    rule: { type: 'keyword' },
    severity: { type: 'keyword' },
    severityRank: { type: 'byte' },
    state: { type: 'keyword' },
    service: { type: 'keyword' },
    startsAt: { type: 'date' },
    endsAt: { type: 'date' },
    updatedAt: { type: 'date' },
    at: { type: 'date' },
    from: { type: 'keyword' },
    to: { type: 'keyword' },
  },
};

const leaseMappings: Mappings = {
  dynamic: false,
  properties: {
    holder: { type: 'keyword' },
    expiresAt: { type: 'date' },
  },
};

/** Storage maintenance's deletions (contracts/storage-deletion.ts): read by time, newest first. */
const deletionMappings: Mappings = {
  dynamic: false,
  properties: {
    at: { type: 'date' },
    index: { type: 'keyword' },
    signal: { type: 'keyword' },
    reason: { type: 'keyword' },
    outcome: { type: 'keyword' },
  },
};

/**
 * The one index setting an upgrade also applies to indices that already exist (it is dynamic,
 * and it protects data): a record with more attributes than the field limit (1000) is stored with
 * the extra ones unmapped (kept in _source), instead of being rejected and lost. Tuning such as
 * refresh interval or replicas is left as the operator set it on existing indices.
 */
const upgradeSettings: estypes.IndicesIndexSettings = {
  mapping: { total_fields: { ignore_dynamic_beyond_limit: true } },
};

const VERSION_META = 'lantern_template_version';

function template(
  pattern: string,
  mappings: Mappings,
): Omit<estypes.IndicesPutIndexTemplateRequest, 'name'> & {
  index_patterns: string[];
  template: { mappings: Mappings };
} {
  return {
    index_patterns: [pattern],
    priority: 500,
    version: TEMPLATE_VERSION,
    _meta: { managed_by: 'lantern' },
    template: {
      settings: {
        number_of_shards: 1,
        // 0 replicas on one node, 1 as soon as a second node joins.
        auto_expand_replicas: '0-1',
        refresh_interval: '1s',
        ...upgradeSettings,
      },
      // Which template an index's mapping is at: the upgrade skips indices already at this one.
      mappings: { ...mappings, _meta: { [VERSION_META]: TEMPLATE_VERSION } },
    },
  };
}

/** Lantern's index templates, keyed by template name. */
export const indexTemplates = {
  [indices.logs.template]: template(indices.logs.pattern, logMappings),
  [indices.spans.template]: template(indices.spans.pattern, spanMappings),
  [indices.alerts.template]: template(indices.alerts.index, alertMappings),
  [indices.alertHistory.template]: template(indices.alertHistory.index, alertMappings),
  [indices.alertLease.template]: template(indices.alertLease.index, leaseMappings),
  [indices.storageDeletions.template]: template(indices.storageDeletions.index, deletionMappings),
};

/**
 * Installs (or updates) Lantern's index templates, then brings each index that already exists and
 * is at an older template up to its template: the mapping and `upgradeSettings` (an index keeps
 * the template it was created from, so without this an upgrade would reach today's daily index
 * only tomorrow). Idempotent; indices already at this version are not touched.
 *
 * Throws when a template cannot be installed. An existing index that cannot be upgraded (its
 * fields conflict with the new mapping, or it is closed or blocked) does not stop the others: it
 * is returned, by name and reason, for the caller to report; it keeps its old mapping and the
 * next daily index gets the new one.
 */
export async function installIndexTemplates(client: Client): Promise<string[]> {
  for (const [name, body] of Object.entries(indexTemplates)) {
    await client.indices.putIndexTemplate({ name, ...body });
  }
  const notUpgraded: string[] = [];
  for (const [name, body] of Object.entries(indexTemplates)) {
    // Two requests per template, however many daily indices: their names, and the version each
    // mapping is at. Concrete names (the alert indices) may not exist yet.
    const target = {
      expand_wildcards: 'open' as const,
      ignore_unavailable: true,
      allow_no_indices: true,
    };
    const existing = await client.indices.resolveIndex({ name: body.index_patterns, ...target });
    const versions = await client.indices.getMapping({
      index: body.index_patterns,
      ...target,
      filter_path: [`*.mappings._meta.${VERSION_META}`],
    });
    const stale = existing.indices
      .map((index) => index.name)
      .filter((index) => versions[index]?.mappings._meta?.[VERSION_META] !== TEMPLATE_VERSION);
    for (const index of stale) {
      try {
        await client.indices.putSettings({ index, settings: upgradeSettings });
        await client.indices.putMapping({ index, ...body.template.mappings });
      } catch (error) {
        notUpgraded.push(
          `index ${index} keeps its older mapping (template ${name} v${String(TEMPLATE_VERSION)} ` +
            `applies from the next index): ${(error as Error).message}`,
        );
      }
    }
  }
  return notUpgraded;
}
