import type { Client } from '@elastic/elasticsearch';
import { fields } from '../../contracts/fields.ts';
import { indices } from '../../contracts/indices.ts';
import { lenient } from './search-options.ts';
import type { LogRecord } from '../../contracts/api/telemetry.ts';

/** One log record, as the API returns it. */
export type TraceLog = LogRecord;

const ATTRIBUTE_PREFIX = 'Attributes.';

export function toTraceLog(source: Record<string, unknown>): TraceLog {
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) {
    if (key.startsWith(ATTRIBUTE_PREFIX)) attributes[key.slice(ATTRIBUTE_PREFIX.length)] = value;
  }
  const text = (key: string): string | null => {
    const value = source[key];
    return typeof value === 'string' && value !== '' ? value : null;
  };
  const severityNumber = source[fields.log.severityNumber];
  return {
    timestamp: String(source[fields.timestamp]),
    severity: text(fields.log.severityText) ?? '',
    severityNumber: typeof severityNumber === 'number' ? severityNumber : null,
    service: text(fields.serviceName),
    message: source[fields.log.body] ?? null,
    traceId: String(source[fields.traceId]),
    spanId: text(fields.spanId),
    attributes,
  };
}

/** The log records of one trace, oldest first (exact match on the keyword TraceId). */
export async function findTraceLogs(
  client: Client,
  traceId: string,
  limit: number,
): Promise<TraceLog[]> {
  const result = await client.search<Record<string, unknown>>({
    index: indices.logs.pattern,
    size: limit,
    ...lenient,
    query: { term: { [fields.traceId]: traceId } },
    sort: [{ [fields.timestamp]: { order: 'asc' } }],
  });
  return result.hits.hits.map((hit) => toTraceLog(hit._source ?? {}));
}
