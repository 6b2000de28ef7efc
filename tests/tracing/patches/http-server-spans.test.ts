import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { getRPCMetadata, W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  AggregationTemporality,
  InMemoryMetricExporter,
  MeterProvider,
  PeriodicExportingMetricReader,
  type HistogramMetricData,
} from '@opentelemetry/sdk-metrics';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import diagnostics from 'node:diagnostics_channel';
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LanternContextManager } from '../../../src/tracing/patches/context-manager.ts';
import { HttpServerSpans, REQUEST_START } from '../../../src/tracing/patches/http-server-spans.ts';
import { expectInstalledWithinRange } from './installed.ts';

const spans = new InMemorySpanExporter();
const metricExporter = new InMemoryMetricExporter(AggregationTemporality.CUMULATIVE);
const reader = new PeriodicExportingMetricReader({
  exporter: metricExporter,
  exportIntervalMillis: 3_600_000,
});
const instrumentation = new HttpServerSpans();

/** What each handler saw: the span active while it ran. */
const activeInHandler: (string | undefined)[] = [];

function handle(req: IncomingMessage, res: ServerResponse): void {
  activeInHandler.push(trace.getActiveSpan()?.spanContext().spanId);
  const route = getRPCMetadata(context.active());
  if (req.url?.startsWith('/users/') && route) route.route = '/users/:id';
  if (req.url === '/hang') return; // never answers: the client gives up
  res.statusCode = req.url === '/fail' ? 503 : 200;
  res.end('ok');
}

const server = createServer(handle);
let port = 0;

function send(
  path: string,
  options: { method?: string; headers?: Record<string, string>; abortAfterMs?: number } = {},
): Promise<number | 'aborted'> {
  return new Promise((resolve, reject) => {
    const sent = request(
      { host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers },
      (res) => {
        res.resume();
        res.on('end', () => {
          resolve(res.statusCode ?? 0);
        });
      },
    );
    sent.on('error', (error) => {
      if (options.abortAfterMs) resolve('aborted');
      else reject(error);
    });
    sent.end();
    if (options.abortAfterMs) setTimeout(() => sent.destroy(), options.abortAfterMs);
  });
}

async function ended(count: number): Promise<ReadableSpan[]> {
  for (let tries = 0; tries < 200 && spans.getFinishedSpans().length < count; tries++)
    await new Promise((resolve) => setTimeout(resolve, 10));
  return spans.getFinishedSpans();
}

beforeAll(async () => {
  context.setGlobalContextManager(new LanternContextManager());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  instrumentation.setTracerProvider(
    new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }),
  );
  instrumentation.setMeterProvider(new MeterProvider({ readers: [reader] }));
  instrumentation.enable();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  instrumentation.disable();
  await new Promise((resolve) => server.close(resolve));
  await reader.shutdown();
  context.disable();
  propagation.disable();
});

beforeEach(() => {
  spans.reset();
  activeInHandler.length = 0;
});

describe('HttpServerSpans', () => {
  it('records a server span, child of the caller, active while the handler runs', async () => {
    const parent = '4bf92f3577b34da6a3ce929d0e0e4736';
    await send('/users/42?sig=secret&page=2', {
      headers: {
        traceparent: `00-${parent}-00f067aa0ba902b7-01`,
        'user-agent': 'probe/1.0',
        'x-forwarded-for': '203.0.113.9, 10.0.0.1',
      },
    });
    const [span] = await ended(1);
    expect(span?.spanContext().traceId).toBe(parent);
    expect(span?.parentSpanContext?.spanId).toBe('00f067aa0ba902b7');
    expect(activeInHandler).toEqual([span?.spanContext().spanId]);
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.name).toBe('GET /users/:id');
    expect(span?.status.code).toBe(SpanStatusCode.UNSET);
    expect(span?.attributes).toMatchObject({
      'http.request.method': 'GET',
      'http.route': '/users/:id',
      'http.response.status_code': 200,
      'url.scheme': 'http',
      'url.path': '/users/42',
      'url.query': 'sig=REDACTED&page=2',
      'server.address': '127.0.0.1',
      'server.port': port,
      'client.address': '203.0.113.9',
      'network.peer.address': '127.0.0.1',
      'network.protocol.version': '1.1',
      'user_agent.original': 'probe/1.0',
    });
  });

  it('marks a 5xx response as an error and records the request duration by route', async () => {
    await send('/fail');
    const [span] = await ended(1);
    expect(span?.name).toBe('GET');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
    expect(span?.attributes['error.type']).toBe('503');
    await reader.forceFlush();
    const durations = metricExporter
      .getMetrics()
      .flatMap((resource) => resource.scopeMetrics)
      .flatMap((scope) => scope.metrics)
      .filter((metric) => metric.descriptor.name === 'http.server.request.duration')
      .at(-1) as HistogramMetricData | undefined;
    const failed = durations?.dataPoints.find(
      (point) => point.attributes['http.response.status_code'] === 503,
    );
    expect(durations?.descriptor.unit).toBe('s');
    expect(failed?.value.count).toBe(1);
    expect(failed?.attributes).toEqual({
      'http.request.method': 'GET',
      'url.scheme': 'http',
      'network.protocol.version': '1.1',
      'http.response.status_code': 503,
      'error.type': '503',
    });
  });

  it('ends the span of a request the client gave up on', async () => {
    expect(await send('/hang', { abortAfterMs: 50 })).toBe('aborted');
    const finished = await ended(1);
    expect(finished.map((span) => span.attributes['url.path'])).toEqual(['/hang']);
  });

  it('names a method outside the conventions _OTHER and keeps the original', async () => {
    await send('/purge', { method: 'PURGE' });
    const [span] = await ended(1);
    expect(span?.attributes['http.request.method']).toBe('_OTHER');
    expect(span?.attributes['http.request.method_original']).toBe('PURGE');
  });

  it('records nothing once disabled, and again once enabled', async () => {
    instrumentation.disable();
    expect(await send('/off')).toBe(200);
    instrumentation.enable();
    await send('/on');
    const finished = await ended(1);
    expect(finished.map((span) => span.attributes['url.path'])).toEqual(['/on']);
  });
});

describe('what the server spans rely on in Node', () => {
  it('runs on the Node it was written against', () => {
    expectInstalledWithinRange('http-server-spans');
  });

  it("publishes request and response on the patch's channel before the handler, then 'close'", async () => {
    const seen: string[] = [];
    let published: { request?: unknown; response?: unknown } = {};
    const onStart = (message: unknown): void => {
      published = message as typeof published;
      seen.push('published');
    };
    const probe = createServer((req, res) => {
      seen.push(req === published.request && res === published.response ? 'handler' : 'other');
      res.on('close', () => seen.push('close'));
      res.end();
    });
    diagnostics.subscribe(REQUEST_START, onStart);
    try {
      await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
      port = (probe.address() as AddressInfo).port;
      await send('/probe');
      for (let tries = 0; tries < 200 && !seen.includes('close'); tries++)
        await new Promise((resolve) => setTimeout(resolve, 10));
    } finally {
      diagnostics.unsubscribe(REQUEST_START, onStart);
      port = (server.address() as AddressInfo).port;
      await new Promise((resolve) => probe.close(resolve));
    }
    expect(seen).toEqual(['published', 'handler', 'close']);
  });
});
