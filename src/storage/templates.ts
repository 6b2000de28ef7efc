import type { Client, estypes } from '@elastic/elasticsearch';
import { indices } from './indices.ts';

/** Bumped whenever a template changes, so a newer template replaces an older one. */
export const TEMPLATE_VERSION = 2;

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

/**
 * The index settings Elasticsearch lets us change on an existing index: the ones an upgrade of
 * Lantern applies to today's indices too, not only to those created from tomorrow on.
 */
const dynamicSettings: estypes.IndicesIndexSettings = {
  // 0 replicas on one node, 1 as soon as a second node joins.
  auto_expand_replicas: '0-1',
  refresh_interval: '1s',
  // A record with more attributes than the field limit (1000) is stored with the extra ones
  // unmapped (kept in _source), instead of being rejected and lost.
  mapping: { total_fields: { ignore_dynamic_beyond_limit: true } },
};

function template(
  pattern: string,
  mappings: Mappings,
): Omit<estypes.IndicesPutIndexTemplateRequest, 'name'> & { index_patterns: string[] } {
  return {
    index_patterns: [pattern],
    priority: 500,
    version: TEMPLATE_VERSION,
    _meta: { managed_by: 'lantern' },
    template: { settings: { number_of_shards: 1, ...dynamicSettings }, mappings },
  };
}

/** Lantern's index templates, keyed by template name. */
export const indexTemplates = {
  [indices.logs.template]: template(indices.logs.pattern, logMappings),
  [indices.spans.template]: template(indices.spans.pattern, spanMappings),
  [indices.alerts.template]: template(indices.alerts.index, alertMappings),
  [indices.alertHistory.template]: template(indices.alertHistory.index, alertMappings),
};

/**
 * Installs (or updates) Lantern's index templates and brings the indices that already exist up
 * to them: dynamic settings and mappings (an index keeps the template it was created from, so
 * without this an upgrade would reach today's index only tomorrow). Idempotent.
 *
 * Returns what could not be applied to existing indices (a mapping that conflicts with fields
 * they already have): those indices keep their old mapping, new ones get the template's. The
 * caller reports it; the templates themselves are always installed, or this throws.
 */
export async function installIndexTemplates(client: Client): Promise<string[]> {
  const notApplied: string[] = [];
  for (const [name, body] of Object.entries(indexTemplates)) {
    await client.indices.putIndexTemplate({ name, ...body });
    const existing = {
      index: body.index_patterns,
      allow_no_indices: true,
      ignore_unavailable: true,
    };
    await client.indices.putSettings({ ...existing, settings: dynamicSettings });
    try {
      await client.indices.putMapping({ ...existing, ...body.template?.mappings });
    } catch (error) {
      notApplied.push(
        `existing ${body.index_patterns.join(', ')} indices keep their mapping, new ones get ` +
          `template ${name} v${String(TEMPLATE_VERSION)}: ${(error as Error).message}`,
      );
    }
  }
  return notApplied;
}
