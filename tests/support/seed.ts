import { fields } from '../../src/contracts/fields.ts';
import { es } from '../../tools/harness/stores.ts';
import { newSpanId, newTraceId } from '../../tools/harness/trace-ids.ts';

/** A span document in the shape the Collector's Elasticsearch exporter writes (flat keys). */
export interface SeedSpan {
  service: string;
  route: string;
  at: number;
  durationMs: number;
  failed: boolean;
  weight: number;
  traceId?: string;
}

export interface SeedLog {
  service: string;
  at: number;
  severityNumber: number;
  message: string;
  traceId: string;
  spanId: string;
}

const iso = (ms: number): string => new Date(ms).toISOString();

export function spanDocument(span: SeedSpan): Record<string, unknown> {
  return {
    [fields.timestamp]: iso(span.at),
    [fields.span.endTimestamp]: iso(span.at + span.durationMs),
    [fields.traceId]: span.traceId ?? newTraceId(),
    [fields.spanId]: newSpanId(),
    [fields.span.name]: `GET ${span.route}`,
    [fields.span.kind]: 'SPAN_KIND_SERVER',
    [fields.span.status]: span.failed ? 2 : 0,
    [fields.span.duration]: Math.round(span.durationMs * 1000),
    [fields.serviceName]: span.service,
    [fields.span.httpRoute]: span.route,
    [fields.span.httpStatus]: span.failed ? 500 : 200,
    [fields.span.samplingWeight]: span.weight,
  };
}

export function logDocument(log: SeedLog): Record<string, unknown> {
  return {
    [fields.timestamp]: iso(log.at),
    [fields.traceId]: log.traceId,
    [fields.spanId]: log.spanId,
    [fields.log.severityNumber]: log.severityNumber,
    [fields.log.severityText]: log.severityNumber >= 17 ? 'ERROR' : 'INFO',
    [fields.log.body]: log.message,
    [fields.serviceName]: log.service,
  };
}

/** Bulk-loads documents into one index (created from Lantern's template) and refreshes it. */
export async function bulkLoad(
  index: string,
  documents: readonly Record<string, unknown>[],
): Promise<void> {
  for (let i = 0; i < documents.length; i += 5000) {
    const operations = documents
      .slice(i, i + 5000)
      .flatMap((doc) => [{ index: { _index: index } }, doc]);
    const result = await es.bulk({ operations });
    if (result.errors)
      throw new Error(`bulk load into ${index} had errors: ${JSON.stringify(result.items[0])}`);
  }
  await es.indices.refresh({ index });
}
