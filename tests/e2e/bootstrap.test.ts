import { execFileSync } from 'node:child_process';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { repoRoot } from '../../tools/stack/paths.ts';
import { fields } from '../../src/contracts/fields.ts';
import { indices } from '../../src/contracts/indices.ts';
import { startApp, traceparent, type RunningApp } from '../../tools/harness/instrumented-app.ts';
import { newSpanId, newTraceId, stack } from '../../tools/harness/otlp.ts';
import { docsOfTrace, jaegerTrace } from '../../tools/harness/stores.ts';
import { upTo } from '../support/polling.ts';

const run = Date.now().toString(36);
const apps: RunningApp[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.stop()));
});

/** The spans of a trace in Jaeger, once one of them is named `operation`. */
const traceWith = (traceId: string, operation: (name: string) => boolean) =>
  vi.waitFor(async () => {
    const spans = await jaegerTrace(traceId);
    const names = spans.map((span) => span.operationName);
    expect(names.some(operation), `span names: ${names.join(', ')}`).toBe(true);
    return spans;
  }, upTo());

/** The stored documents of a trace, once there are some. */
const docsOf = (index: string, traceId: string) =>
  vi.waitFor(async () => {
    const docs = await docsOfTrace(index, traceId);
    expect(docs.length).toBeGreaterThan(0);
    return docs;
  }, upTo());

async function request(app: RunningApp, path: string, traceId: string): Promise<number> {
  const response = await fetch(`${app.url}${path}`, {
    headers: { traceparent: traceparent(traceId, newSpanId()) },
  });
  await response.arrayBuffer();
  return response.status;
}

/**
 * POSTs a text body that reaches the app well after the headers, so the app reads it in a
 * later socket read (its 'data' and 'end' events) rather than with the request event.
 */
function postLate(app: RunningApp, path: string, traceId: string, body: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const sent = httpRequest(
      `${app.url}${path}`,
      {
        method: 'POST',
        headers: {
          'content-type': 'text/plain',
          traceparent: traceparent(traceId, newSpanId()),
        },
      },
      (response) => {
        response.resume();
        response.on('end', () => {
          resolve(response.statusCode ?? 0);
        });
      },
    );
    sent.on('error', reject);
    sent.flushHeaders();
    setTimeout(() => sent.end(body), 200);
  });
}

describe.each([
  { loader: '--import', script: 'tests/fixtures/express-app.mjs', kind: 'ESM + pino' },
  { loader: '--require', script: 'tests/fixtures/express-app.cjs', kind: 'CJS + winston' },
] as const)('an unchanged $kind app under $loader lantern/register', ({ loader, script }) => {
  const service = `bootstrap-${loader.slice(2)}-${run}`;
  const traceId = newTraceId();
  let app: RunningApp;

  it('starts and serves', async () => {
    app = await startApp({ loader, script, service });
    apps.push(app);
    expect(await request(app, '/fail', traceId)).toBe(500);
  });

  it('exports the failing request as an error trace named by its express route, in Jaeger', async () => {
    const spans = await traceWith(traceId, (name) => name === 'GET /fail');
    expect(spans.every((span) => span.service === service)).toBe(true);
    const server = spans.find((span) => span.operationName === 'GET /fail');
    const tag = (key: string) => server?.tags.find((t) => t.key === key)?.value;
    expect(tag('http.route')).toBe('/fail');
    expect(tag('otel.status_code')).toBe('ERROR');
    // express.json() and the route handler ran, but express layers record no span by default.
    expect(spans.map((span) => span.operationName)).toEqual(['GET /fail']);
  });

  it('sends its log record over OTLP with the trace id and span id of the request', async () => {
    const logs = await docsOf(indices.logs.pattern, traceId);
    const spanIds = (await jaegerTrace(traceId)).map((span) => span.spanID);
    expect(logs).toHaveLength(1);
    expect(String(logs[0]?.[fields.log.body])).toContain('failing on purpose');
    expect(spanIds).toContain(logs[0]?.[fields.spanId]);
    expect(logs[0]?.[fields.serviceName]).toBe(service);
  });

  it("logs from a handler reached through the request body's events in the request's trace", async () => {
    const orderTrace = newTraceId();
    expect(await postLate(app, '/orders', orderTrace, 'lamp')).toBe(500);
    const server = await traceWith(orderTrace, (name) => name === 'POST /orders');
    const logs = await docsOf(indices.logs.pattern, orderTrace);
    expect(String(logs[0]?.[fields.log.body])).toContain('order refused');
    expect(logs[0]?.[fields.spanId]).toBe(
      server.find((span) => span.operationName === 'POST /orders')?.spanID,
    );
  });

  it('marks every exported span with its sampling weight', async () => {
    const spans = await docsOf(indices.spans.pattern, traceId);
    for (const span of spans) expect(span[fields.span.samplingWeight]).toBe(1);
  });
});

describe('LANTERN_EXPRESS_LAYERS=handlers and =all, OTLP as protobuf', () => {
  /** The ESM fixture under these settings, asked for `path`: the spans of that trace. */
  async function spansWith(env: Record<string, string>, path: string) {
    const app = await startApp({
      loader: '--import',
      script: 'tests/fixtures/express-app.mjs',
      service: `bootstrap-layers-${Object.values(env).join('-')}-${run}`.replace('/', '-'),
      env,
    });
    apps.push(app);
    const traceId = newTraceId();
    expect(await request(app, path, traceId)).toBe(500);
    return traceWith(traceId, (name) => name.startsWith('request handler'));
  }

  it('records the route handler with its exception when asked', async () => {
    const spans = await spansWith({ LANTERN_EXPRESS_LAYERS: 'handlers' }, '/throw');
    const handler = spans.find((span) => span.operationName.startsWith('request handler'));
    const fieldsOfEvents = handler?.logs.flatMap((log) => log.fields) ?? [];
    expect(fieldsOfEvents).toContainEqual(
      expect.objectContaining({ key: 'exception.message', value: 'thrown on purpose' }),
    );
    expect(spans.filter((span) => span.operationName.startsWith('middleware'))).toEqual([]);
  });

  it('records a span for every express middleware, sent as http/protobuf', async () => {
    const spans = await spansWith(
      { LANTERN_EXPRESS_LAYERS: 'all', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' },
      '/fail',
    );
    expect(spans.map((span) => span.operationName)).toContain('middleware - jsonParser');
  });
});

describe('startTelemetry() from code', () => {
  it('exports and flushes, and shutdown() is safe to call twice', async () => {
    const output = execFileSync(
      process.execPath,
      [join(repoRoot, 'tests/fixtures/programmatic.mjs')],
      {
        cwd: repoRoot,
        env: {
          ...process.env,
          OTEL_SERVICE_NAME: `programmatic-${run}`,
          OTEL_EXPORTER_OTLP_ENDPOINT: stack.otlpHttp,
        },
        encoding: 'utf8',
      },
    );
    const { traceId, shutdownTwice } = JSON.parse(output) as {
      traceId: string;
      shutdownTwice: boolean;
    };
    expect(shutdownTwice).toBe(true);
    await expect
      .poll(async () => (await jaegerTrace(traceId)).map((span) => span.operationName), upTo())
      .toEqual(['programmatic-work']);
  });
});
