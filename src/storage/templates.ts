import type { Client, estypes } from '@elastic/elasticsearch';
import { indices } from '../contracts/indices.ts';

/** Bumped whenever a template changes, so a newer template replaces an older one. */
export const TEMPLATE_VERSION = 5;

type Mappings = NonNullable<
  NonNullable<estypes.IndicesPutIndexTemplateRequest['template']>['mappings']
>;
type Property = estypes.MappingProperty;
type DynamicTemplates = NonNullable<Mappings['dynamic_templates']>;

/*
 * Every field costs disk for what it can do: an index (term and range queries), doc values
 * (sorting, aggregations, collapse), norms (scoring). Each field below keeps only what a query of
 * Lantern's needs (src/storage/queries, and the Jaeger storage backend's reads of the span
 * store); everything else of a record stays in _source, which the trace view and log search
 * return whole. Indices are compressed with best_compression (stored fields, which hold _source).
 */

/** Kept in _source only: returned with the record, never searched, sorted or aggregated. */
const sourceOnly = { type: 'keyword', index: false, doc_values: false } as const;
/** Found by exact value (term, terms, exists), never sorted or aggregated on. */
const searchedKeyword = { type: 'keyword', doc_values: false } as const;

/**
 * Attribute strings are exact-match keywords (ids, routes, status texts); numbers keep their
 * dynamic numeric type. Long strings stay in _source but are not indexed. Span attributes and
 * resource attributes are searched by exact value (the trace search's `attribute=key=value`,
 * Jaeger's tags), never aggregated: no doc values.
 */
const searchedAttributes = (paths: readonly string[]): DynamicTemplates =>
  paths.flatMap((path) => [
    {
      [`${path}_strings`]: {
        path_match: `${path}.*`,
        match_mapping_type: 'string',
        mapping: { ...searchedKeyword, ignore_above: 1024 },
      },
    },
    {
      [`${path}_longs`]: {
        path_match: `${path}.*`,
        match_mapping_type: 'long',
        mapping: { type: 'long', doc_values: false },
      },
    },
    {
      [`${path}_doubles`]: {
        path_match: `${path}.*`,
        match_mapping_type: 'double',
        mapping: { type: 'double', doc_values: false },
      },
    },
  ]);

/**
 * Fields no query reads, whatever their JSON type (a keyword mapping keeps a number a number in
 * _source): a log record's attributes and resource, a span's events.
 */
const unsearched = (paths: readonly string[]): DynamicTemplates =>
  paths.map((path) => ({
    [`${path.replaceAll('.', '_')}_unsearched`]: {
      path_match: `${path}.*`,
      match_mapping_type: ['string', 'long', 'double', 'boolean', 'date'],
      mapping: sourceOnly,
    },
  }));

/** Every other string: an exact-match keyword, as before (a field a source adds at the top). */
const otherStrings: DynamicTemplates = [
  {
    strings_as_keywords: {
      match_mapping_type: 'string',
      mapping: { type: 'keyword', ignore_above: 1024 },
    },
  },
];

const timestamp: Property = { type: 'date_nanos' };
const serviceName: Property = { type: 'keyword' };

const logMappings: Mappings = {
  dynamic_templates: [...unsearched(['Attributes', 'Resource', 'Scope']), ...otherStrings],
  properties: {
    '@timestamp': timestamp,
    // A trace's logs are found by it; nothing sorts or groups logs by trace.
    TraceId: searchedKeyword,
    SpanId: sourceOnly,
    Resource: {
      properties: {
        service: { properties: { name: serviceName, version: sourceOnly } },
      },
    },
    TraceFlags: { type: 'integer', index: false, doc_values: false },
    SeverityText: sourceOnly,
    // Range filters only (at least this severe).
    SeverityNumber: { type: 'byte', doc_values: false },
    // Words in the message, matched all together: no scores (norms), no phrases (positions).
    // Body.raw groups error messages (a terms aggregation): doc values, no index.
    Body: {
      type: 'text',
      norms: false,
      index_options: 'docs',
      fields: { raw: { type: 'keyword', ignore_above: 2048, index: false } },
    },
  },
};

const spanMappings: Mappings = {
  dynamic_templates: [
    ...searchedAttributes(['Attributes', 'Resource']),
    ...unsearched(['Events', 'Scope']),
    ...otherStrings,
  ],
  properties: {
    '@timestamp': timestamp,
    // Collapsed on (one row per trace) and sorted on by the Jaeger backend's trace reads.
    TraceId: { type: 'keyword' },
    // Read with the span, never searched: a parent is found among its trace's spans, and a
    // trace's spans are paged in a point in time (stored-traces.ts), not by span id.
    SpanId: sourceOnly,
    Resource: {
      properties: {
        service: { properties: { name: serviceName, version: searchedKeyword } },
      },
    },
    EndTimestamp: { type: 'date_nanos', index: false, doc_values: false },
    // Whether a span has a parent is all a query asks (the service graph's entry spans): every
    // id is over ignore_above, so none is indexed and the field's name goes to _ignored, which
    // `hasParent` (stored-traces.ts) searches. An empty id stays indexed, and is no parent.
    ParentSpanId: { type: 'keyword', ignore_above: 0, doc_values: false },
    Name: { type: 'keyword' },
    Kind: { type: 'keyword' },
    TraceStatus: { type: 'byte', doc_values: false },
    TraceStatusDescription: { type: 'text', index: false },
    Duration: { type: 'long' },
    Link: { type: 'text', index: false },
    Attributes: {
      properties: {
        // Summed, never searched.
        lantern: {
          properties: {
            sampling: { properties: { weight: { type: 'double', index: false } } },
          },
        },
        http: {
          properties: {
            route: { type: 'keyword' },
            response: { properties: { status_code: { type: 'integer', doc_values: false } } },
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
    incidentId: { type: 'keyword' },
  },
};

const incidentMappings: Mappings = {
  dynamic: false,
  properties: {
    id: { type: 'keyword' },
    status: { type: 'keyword' },
    severity: { type: 'keyword' },
    severityRank: { type: 'byte' },
    origin: { type: 'keyword' },
    services: { type: 'keyword' },
    startedAt: { type: 'date' },
    resolvedAt: { type: 'date' },
    updatedAt: { type: 'date' },
    signals: { properties: { alertId: { type: 'keyword' } } },
  },
};

const timelineMappings: Mappings = {
  dynamic: false,
  properties: {
    incidentId: { type: 'keyword' },
    kind: { type: 'keyword' },
    at: { type: 'date' },
  },
};

/** Marked deploys: found by service and time, read whole from _source. */
const deploymentMappings: Mappings = {
  dynamic: false,
  properties: {
    service: { type: 'keyword' },
    at: { type: 'date' },
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

/**
 * Daily telemetry indices are append-only under ids Elasticsearch generates: nothing reads a
 * record by id or asks for a range of sequence numbers. So the id field keeps no bloom filter
 * (it speeds up lookups by id) and _seq_no only its doc values (its points serve range queries;
 * Elasticsearch's logsdb mode drops them too). Both can only be set when an index is created.
 */
const appendOnlySettings: estypes.IndicesIndexSettings = {
  seq_no: { index_options: 'doc_values_only' },
  bloom_filter_for_id_field: { enabled: false },
};

function template(
  pattern: string,
  mappings: Mappings,
  settings: estypes.IndicesIndexSettings = {},
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
        codec: 'best_compression',
        ...settings,
        ...upgradeSettings,
      },
      // Which template an index's mapping is at: the upgrade skips indices already at this one.
      mappings: { ...mappings, _meta: { [VERSION_META]: TEMPLATE_VERSION } },
    },
  };
}

/** Lantern's index templates, keyed by template name. */
export const indexTemplates = {
  [indices.logs.template]: template(indices.logs.pattern, logMappings, appendOnlySettings),
  [indices.spans.template]: template(indices.spans.pattern, spanMappings, appendOnlySettings),
  [indices.alerts.template]: template(indices.alerts.index, alertMappings),
  [indices.alertHistory.template]: template(indices.alertHistory.index, alertMappings),
  [indices.alertLease.template]: template(indices.alertLease.index, leaseMappings),
  [indices.storageDeletions.template]: template(indices.storageDeletions.index, deletionMappings),
  [indices.incidents.template]: template(indices.incidents.index, incidentMappings),
  [indices.incidentTimeline.template]: template(indices.incidentTimeline.index, timelineMappings),
  [indices.deployments.template]: template(indices.deployments.index, deploymentMappings),
};

/**
 * What of a template's fields an existing index takes: the fields it lacks, and those whose type
 * differs (Elasticsearch then names the conflict). A field it has with the same type keeps its
 * own parameters: doc values, index and norms cannot change on an existing index, and what
 * dropping them saves can wait for the next daily index.
 */
function additions(
  wanted: Record<string, Property>,
  existing: Record<string, Property>,
): Record<string, Property> {
  const added: Record<string, Property> = {};
  for (const [name, property] of Object.entries(wanted)) {
    const have = existing[name];
    if (have === undefined) {
      added[name] = property;
    } else if ('properties' in property && 'properties' in have) {
      const nested = additions(property.properties, have.properties ?? {});
      if (Object.keys(nested).length > 0) added[name] = { properties: nested };
    } else if ((have.type ?? 'object') !== (property.type ?? 'object')) {
      added[name] = property;
    }
  }
  return added;
}

/**
 * Installs (or updates) Lantern's index templates, then brings each index that already exists and
 * is at an older template up to its template: the fields it lacks (`additions`) and
 * `upgradeSettings` (an index keeps the template it was created from, so without this an upgrade
 * would reach today's daily index only tomorrow). The codec and each existing field's parameters
 * cannot change on an open index: they reach the next daily index. Idempotent; indices already at
 * this version are not touched.
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
    const current = stale.length > 0 ? await client.indices.getMapping({ index: stale }) : {};
    for (const index of stale) {
      const { properties = {}, ...rest } = body.template.mappings;
      const mapping = {
        ...rest,
        properties: additions(properties, current[index]?.mappings.properties ?? {}),
      };
      try {
        await client.indices.putSettings({ index, settings: upgradeSettings });
        await client.indices.putMapping({ index, ...mapping });
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
