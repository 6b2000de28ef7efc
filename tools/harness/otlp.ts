import { endpoints, loadStackSettings } from '../stack/settings.ts';

export const stack = endpoints(loadStackSettings());

/** Kept here for the tests that build spans for sendSpans; trace-ids.ts is their one home. */
export { newSpanId, newTraceId } from './trace-ids.ts';

type Attribute = string | number | boolean;

function otlpAttributes(attributes: Record<string, Attribute>) {
  return Object.entries(attributes).map(([key, value]) => ({
    key,
    value:
      typeof value === 'string'
        ? { stringValue: value }
        : typeof value === 'boolean'
          ? { boolValue: value }
          : Number.isInteger(value)
            ? { intValue: String(value) }
            : { doubleValue: value },
  }));
}

export interface TestSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  startMs: number;
  durationMs: number;
  error?: boolean;
  attributes?: Record<string, Attribute>;
  /** W3C tracestate the span was recorded under (an SDK copies it from the parent). */
  traceState?: string;
  /** Default: server for a root span, client for a child. */
  kind?: 'server' | 'client' | 'internal';
  /**
   * Resource attributes besides the service's name (`host.name`, `service.version`, …); a
   * `service.name` here puts the span in another service. Spans of one resource travel together.
   */
  resource?: Record<string, Attribute>;
}

const KINDS = { internal: 1, server: 2, client: 3 } as const;

const nanos = (ms: number): string => (BigInt(Math.round(ms * 1000)) * 1000n).toString();

async function post(path: string, body: unknown, endpoint: string = stack.otlpHttp): Promise<void> {
  const response = await fetch(`${endpoint}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!response.ok)
    throw new Error(`OTLP ${path} answered ${response.status}: ${await response.text()}`);
}

/**
 * Sends spans of one service over OTLP/HTTP JSON, as an SDK would: to the stack's Collector, or
 * to another OTLP endpoint.
 */
export async function sendSpans(
  service: string,
  spans: readonly TestSpan[],
  endpoint: string = stack.otlpHttp,
): Promise<void> {
  const byResource = new Map<string, TestSpan[]>();
  for (const span of spans) {
    const key = JSON.stringify(span.resource ?? {});
    const group = byResource.get(key) ?? [];
    group.push(span);
    byResource.set(key, group);
  }
  await post(
    '/v1/traces',
    {
      resourceSpans: [...byResource.values()].map((group) => ({
        resource: {
          attributes: otlpAttributes({ 'service.name': service, ...group[0]?.resource }),
        },
        scopeSpans: [
          {
            scope: { name: 'lantern-tests' },
            spans: group.map((span) => ({
              traceId: span.traceId,
              spanId: span.spanId,
              ...(span.parentSpanId ? { parentSpanId: span.parentSpanId } : {}),
              ...(span.traceState ? { traceState: span.traceState } : {}),
              name: span.name,
              kind: KINDS[span.kind ?? (span.parentSpanId ? 'client' : 'server')],
              startTimeUnixNano: nanos(span.startMs),
              endTimeUnixNano: nanos(span.startMs + span.durationMs),
              status: span.error ? { code: 2, message: 'failed' } : { code: 0 },
              attributes: otlpAttributes(span.attributes ?? {}),
            })),
          },
        ],
      })),
    },
    endpoint,
  );
}

export interface TestLog {
  traceId: string;
  spanId: string;
  timeMs: number;
  severityNumber: number;
  severityText: string;
  body: string;
  attributes?: Record<string, Attribute>;
}

/** Sends log records of one service over OTLP/HTTP JSON. */
export async function sendLogs(
  service: string,
  logs: readonly TestLog[],
  endpoint: string = stack.otlpHttp,
): Promise<void> {
  await post(
    '/v1/logs',
    {
      resourceLogs: [
        {
          resource: { attributes: otlpAttributes({ 'service.name': service }) },
          scopeLogs: [
            {
              scope: { name: 'lantern-tests' },
              logRecords: logs.map((log) => ({
                timeUnixNano: nanos(log.timeMs),
                traceId: log.traceId,
                spanId: log.spanId,
                severityNumber: log.severityNumber,
                severityText: log.severityText,
                body: { stringValue: log.body },
                attributes: otlpAttributes(log.attributes ?? {}),
              })),
            },
          ],
        },
      ],
    },
    endpoint,
  );
}

/** Sends one gauge data point over OTLP/HTTP JSON. */
export async function sendGauge(service: string, name: string, value: number): Promise<void> {
  await post('/v1/metrics', {
    resourceMetrics: [
      {
        resource: { attributes: otlpAttributes({ 'service.name': service }) },
        scopeMetrics: [
          {
            scope: { name: 'lantern-tests' },
            metrics: [
              {
                name,
                gauge: { dataPoints: [{ asDouble: value, timeUnixNano: nanos(Date.now()) }] },
              },
            ],
          },
        ],
      },
    ],
  });
}
