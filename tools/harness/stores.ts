import { createElasticsearchClient } from '../../src/storage/client.ts';
import { fields } from '../../src/contracts/fields.ts';
import { stack } from './otlp.ts';

/** Every node of the stack's cluster (one by default), so a test may stop one of them. */
export const es = createElasticsearchClient({
  url: stack.elasticsearchNodes?.join(',') ?? stack.elasticsearch,
});

export interface JaegerSpan {
  spanID: string;
  operationName: string;
  processID: string;
  tags: { key: string; value: unknown }[];
  /** Span events (an exception among them), each with its attributes as fields. */
  logs: { fields: { key: string; value: unknown }[] }[];
}

/** The spans Jaeger returns for a trace (empty when it has none), with their service names. */
export async function jaegerTrace(traceId: string): Promise<(JaegerSpan & { service: string })[]> {
  const response = await fetch(`${stack.jaeger}/api/traces/${traceId}`);
  if (response.status === 404) return [];
  const body = (await response.json()) as {
    data?: { spans: JaegerSpan[]; processes: Record<string, { serviceName: string }> }[];
  };
  const trace = body.data?.[0];
  if (!trace) return [];
  return trace.spans.map((span) => ({
    ...span,
    service: trace.processes[span.processID]?.serviceName ?? '',
  }));
}

/**
 * A search that finds a daily index whose shard is still starting (the first document of the
 * day just created it) answers no_shard_available_action_exception: for a test waiting for
 * documents, that is "none yet", not a failure.
 */
export async function untilShardsStart<T>(search: () => Promise<T>, none: T): Promise<T> {
  try {
    return await search();
  } catch (error) {
    if (JSON.stringify((error as { body?: unknown }).body ?? '').includes('no_shard_available')) {
      return none;
    }
    throw error;
  }
}

/** Documents of an index pattern whose TraceId is exactly this one. */
export async function docsOfTrace(
  index: string,
  traceId: string,
): Promise<Record<string, unknown>[]> {
  return untilShardsStart(async () => {
    const result = await es.search<Record<string, unknown>>({
      index,
      size: 500,
      query: { term: { [fields.traceId]: traceId } },
    });
    return result.hits.hits.map((hit) => hit._source ?? {});
  }, []);
}
