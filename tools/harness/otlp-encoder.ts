import { context, ROOT_CONTEXT, SpanKind, trace, TraceFlags } from '@opentelemetry/api';
import { ProtobufLogsSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemoryLogRecordExporter,
  LoggerProvider,
  SimpleLogRecordProcessor,
} from '@opentelemetry/sdk-logs';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { WEIGHT_ATTRIBUTE } from '../../src/contracts/sampling-weight.ts';
import { newSpanId, newTraceId } from './trace-ids.ts';

/**
 * OTLP request bodies for the load generator, in either encoding a real SDK sends: JSON (what
 * Lantern's bootstrap sends) or protobuf (the default of most other SDKs). Protobuf bodies are
 * made by the OpenTelemetry SDK itself (spans and log records through in-memory exporters,
 * then the official serializer); JSON is written directly.
 */
export type Encoding = 'json' | 'protobuf';

export interface EncodedBatch {
  readonly body: string | Uint8Array;
  readonly contentType: string;
  readonly traceIds: readonly string[];
}

export interface OtlpEncoder {
  logs(count: number, sequence: number): EncodedBatch;
  /** `traces` traces of `spansPerTrace` spans: a server root and its children. */
  traces(traces: number, spansPerTrace: number): EncodedBatch;
}

// Both encodings send the same telemetry (same attributes, weight and severity text): only the
// encoding differs between them.

/** Not an integer, so it travels as a double in both encodings (as the sampler's weights do). */
const WEIGHT = 1.5;

const nanos = (ms: number): string => (BigInt(Math.round(ms)) * 1_000_000n).toString();
const body = (service: string, sequence: number): string =>
  `ingest record ${sequence} of ${service}`;

function jsonEncoder(service: string): OtlpEncoder {
  const resource = { attributes: [{ key: 'service.name', value: { stringValue: service } }] };
  const contentType = 'application/json';
  return {
    logs(count, sequence) {
      const now = Date.now();
      const logRecords = Array.from({ length: count }, (_, i) => ({
        timeUnixNano: nanos(now),
        severityText: 'INFO',
        body: { stringValue: body(service, sequence + i) },
        traceId: newTraceId(),
        spanId: newSpanId(),
        attributes: [{ key: 'sequence', value: { intValue: String(sequence + i) } }],
      }));
      const request = { resourceLogs: [{ resource, scopeLogs: [{ logRecords }] }] };
      return { body: JSON.stringify(request), contentType, traceIds: [] };
    },
    traces(traces, spansPerTrace) {
      const now = Date.now();
      const traceIds: string[] = [];
      const spans = [];
      for (let t = 0; t < traces; t += 1) {
        const traceId = newTraceId();
        traceIds.push(traceId);
        const rootId = newSpanId();
        for (let s = 0; s < spansPerTrace; s += 1) {
          spans.push({
            traceId,
            spanId: s === 0 ? rootId : newSpanId(),
            ...(s === 0 ? {} : { parentSpanId: rootId }),
            name: s === 0 ? 'GET /ingest' : `step ${s}`,
            kind: s === 0 ? 2 : 1,
            startTimeUnixNano: nanos(now - 20),
            endTimeUnixNano: nanos(now - (s === 0 ? 0 : 5)),
            attributes: [{ key: WEIGHT_ATTRIBUTE, value: { doubleValue: WEIGHT } }],
          });
        }
      }
      const request = { resourceSpans: [{ resource, scopeSpans: [{ spans }] }] };
      return { body: JSON.stringify(request), contentType, traceIds };
    },
  };
}

function protobufEncoder(service: string): OtlpEncoder {
  const resource = resourceFromAttributes({ 'service.name': service });
  const spans = new InMemorySpanExporter();
  const tracer = new TracerProvider({
    resource,
    spanProcessors: [new SimpleSpanProcessor({ exporter: spans })],
  }).getTracer('lantern-load');
  const logs = new InMemoryLogRecordExporter();
  const logger = new LoggerProvider({
    resource,
    processors: [new SimpleLogRecordProcessor({ exporter: logs })],
  }).getLogger('lantern-load');
  const contentType = 'application/x-protobuf';
  const weight = { [WEIGHT_ATTRIBUTE]: WEIGHT };
  return {
    logs(count, sequence) {
      for (let i = 0; i < count; i += 1) {
        const spanContext = {
          traceId: newTraceId(),
          spanId: newSpanId(),
          traceFlags: TraceFlags.SAMPLED,
        };
        logger.emit({
          severityText: 'INFO',
          body: body(service, sequence + i),
          attributes: { sequence: sequence + i },
          context: trace.setSpanContext(ROOT_CONTEXT, spanContext),
        });
      }
      const records = logs.getFinishedLogRecords();
      logs.reset();
      return {
        body: ProtobufLogsSerializer.serializeRequest([...records]) ?? new Uint8Array(),
        contentType,
        traceIds: [],
      };
    },
    traces(traces, spansPerTrace) {
      const traceIds: string[] = [];
      for (let t = 0; t < traces; t += 1) {
        const root = tracer.startSpan('GET /ingest', { kind: SpanKind.SERVER, attributes: weight });
        const parent = trace.setSpan(context.active(), root);
        for (let s = 1; s < spansPerTrace; s += 1) {
          tracer.startSpan(`step ${s}`, { attributes: weight }, parent).end();
        }
        root.end();
        traceIds.push(root.spanContext().traceId);
      }
      const finished = spans.getFinishedSpans();
      spans.reset();
      return {
        body: ProtobufTraceSerializer.serializeRequest([...finished]) ?? new Uint8Array(),
        contentType,
        traceIds,
      };
    },
  };
}

export const otlpEncoder = (encoding: Encoding, service: string): OtlpEncoder =>
  encoding === 'json' ? jsonEncoder(service) : protobufEncoder(service);
