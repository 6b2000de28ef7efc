import * as grpc from '@grpc/grpc-js';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, TraceFlags } from '@opentelemetry/api';
import { TraceState } from '@opentelemetry/core';
import { ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import type { TestSpan } from './otlp.ts';
import { newSpanId } from './trace-ids.ts';

const METHODS = {
  logs: '/opentelemetry.proto.collector.logs.v1.LogsService/Export',
  traces: '/opentelemetry.proto.collector.trace.v1.TraceService/Export',
} as const;

/**
 * gRPC status of an OTLP Export call with this protobuf body (0 = OK, 16 = unauthenticated), as
 * a Java, Go or Python SDK sends it by default.
 */
export function exportOverGrpc(
  target: string,
  signal: keyof typeof METHODS,
  channel: grpc.ChannelCredentials,
  body: Uint8Array,
  authorization?: string,
): Promise<grpc.status> {
  return unaryCallStatus(target, METHODS[signal], channel, body, authorization);
}

/** gRPC status of one unary call of `method` (`/package.Service/Method`) with this body. */
export function unaryCallStatus(
  target: string,
  method: string,
  channel: grpc.ChannelCredentials,
  body: Uint8Array,
  authorization?: string,
): Promise<grpc.status> {
  const client = new grpc.Client(target, channel);
  const metadata = new grpc.Metadata();
  if (authorization !== undefined) metadata.set('authorization', authorization);
  const bytes = (buffer: Buffer): Buffer => buffer;
  return new Promise((resolve) => {
    client.makeUnaryRequest(
      method,
      bytes,
      bytes,
      Buffer.from(body),
      metadata,
      { deadline: Date.now() + 10_000 },
      (error) => {
        client.close();
        resolve(error?.code ?? grpc.status.OK);
      },
    );
  });
}

/**
 * Test spans as the protobuf body an SDK sends, made by the OpenTelemetry SDK itself. Each span
 * keeps its trace id and tracestate by starting under a remote parent carrying them (its
 * `parentSpanId` when given, else a made-up one: a span of a caller that never reports).
 */
export function protobufSpans(service: string, spans: readonly TestSpan[]): Uint8Array {
  const exporter = new InMemorySpanExporter();
  const tracer = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor({ exporter })],
  }).getTracer('lantern-tests');
  for (const span of spans) {
    const parent = trace.setSpanContext(ROOT_CONTEXT, {
      traceId: span.traceId,
      spanId: span.parentSpanId ?? newSpanId(),
      traceFlags: TraceFlags.SAMPLED,
      isRemote: true,
      ...(span.traceState ? { traceState: new TraceState(span.traceState) } : {}),
    });
    const started = tracer.startSpan(
      span.name,
      {
        kind: span.kind === 'client' ? SpanKind.CLIENT : SpanKind.SERVER,
        startTime: span.startMs,
        attributes: span.attributes ?? {},
      },
      parent,
    );
    if (span.error) started.setStatus({ code: SpanStatusCode.ERROR, message: 'failed' });
    started.end(span.startMs + span.durationMs);
  }
  return ProtobufTraceSerializer.serializeRequest(exporter.getFinishedSpans()) ?? new Uint8Array();
}
