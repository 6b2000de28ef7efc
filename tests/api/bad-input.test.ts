import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElasticsearchClient } from '../../src/storage/client.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';

// Nothing listens here: every Elasticsearch call fails to connect, as when it is down.
const unreachable = createElasticsearchClient({
  url: 'http://127.0.0.1:9',
  requestTimeoutMs: 1000,
});
let api: ApiUnderTest;
let secured: ApiUnderTest;
const token = 'a-token-of-sixteen-characters';

beforeAll(async () => {
  api = await startApi(unreachable);
  secured = await startApi(unreachable, { token });
});
afterAll(async () => {
  await api.close();
  await secured.close();
});

const errorOf = (body: Record<string, unknown>) => body.error as { code: string; message: string };

describe('analysis API: bad input gets a 400 naming the parameter', () => {
  it.each([
    ['/api/v1/logs?traceId=XYZ', 'traceId', 'must be a trace id'],
    ['/api/v1/logs?severity=loud', 'severity', ''],
    ['/api/v1/logs?q=', 'q', ''],
    ['/api/v1/traces?minDurationMs=-1', 'minDurationMs', 'must be 0 or more'],
    ['/api/v1/traces?errors=maybe', 'errors', ''],
    ['/api/v1/traces?attribute=no-equals-sign', 'attribute', 'key=value'],
    ['/api/v1/traces?limit=5000', 'limit', ''],
    ['/api/v1/traces/XYZ', 'traceId', 'must be a trace id'],
    ['/api/v1/logs?traceId=4bf92f3577b34da6a3ce929d0e0e4736&limit=1000000', 'limit', ''],
    ['/api/v1/alerts?state=exploding', 'state', ''],
    ['/api/v1/alerts?limit=-1', 'limit', ''],
    ['/api/v1/alerts?severity=urgent', 'severity', ''],
    [
      '/api/v1/services?from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z',
      'from',
      'must be before "to"',
    ],
    ['/api/v1/services?from=yesterday', 'from', 'RFC 3339'],
    ['/api/v1/analysis/latency?interval=1ms', 'interval', ''],
    [
      '/api/v1/analysis/error-rate?from=0&to=86400000&interval=1s',
      'interval',
      'more than 500 buckets',
    ],
    ['/api/v1/alerts?state=firing&state=pending', 'state', ''],
    ['/api/v1/deployments', 'service', ''],
    ['/api/v1/deployments?service=', 'service', ''],
    ['/api/v1/deployments?service=a&from=soon', 'from', 'RFC 3339'],
  ])('%s → 400 naming "%s"', async (path, parameter, message) => {
    const { status, body } = await api.get(path);
    expect(status).toBe(400);
    expect(errorOf(body).code).toBe('bad_parameter');
    expect(errorOf(body).message).toContain(`"${parameter}"`);
    expect(errorOf(body).message).toContain(message);
  });

  it.each([
    [{ version: '1.2' }, 'service', ''],
    [{ service: '  ', version: '1.2' }, 'service', 'must name the service'],
    [{ service: 'checkout' }, 'version', ''],
    [{ service: 'checkout', version: '1.2', at: 'last tuesday' }, 'at', 'RFC 3339'],
    [{ service: 'checkout', version: '1.2', at: '2300-01-01T00:00:00Z' }, 'at', '2262'],
    [{ service: 'checkout', version: '1.2', at: 1.5 }, 'at', ''],
    [{ service: 'checkout', version: '1.2', link: 'javascript:alert(1)' }, 'link', ''],
    [{ service: 'checkout', version: '1.2', env: 'prod' }, 'env', 'unknown parameter'],
  ])('POST /api/v1/deployments %j → 400 naming "%s"', async (marker, field, message) => {
    const { status, body } = await api.post('/api/v1/deployments', marker);
    expect(status).toBe(400);
    expect(errorOf(body).code).toBe('bad_parameter');
    expect(errorOf(body).message).toContain(`"${field}"`);
    expect(errorOf(body).message).toContain(message);
  });

  it('rejects unknown parameters by name', async () => {
    const { status, body } = await api.get('/api/v1/alerts?stat=firing');
    expect(status).toBe(400);
    expect(errorOf(body).message).toBe('unknown parameter "stat"');
  });

  it('rejects any parameter of /storage, which takes none', async () => {
    const { status, body } = await api.get('/api/v1/storage?day=2026-01-01');
    expect(status).toBe(400);
    expect(errorOf(body).message).toBe('unknown parameter "day"');
  });

  it('answers 404 for unknown endpoints and malformed alert ids', async () => {
    expect((await api.get('/api/v1/nothing')).status).toBe(404);
    expect((await api.get('/api/v1/alerts/not-an-id')).status).toBe(400);
  });
});

describe('analysis API: bearer token when LANTERN_API_TOKEN is set', () => {
  it('refuses a missing or wrong token with 401', async () => {
    expect((await secured.get('/api/v1/rules')).status).toBe(401);
    expect((await secured.get('/api/v1/rules', 'wrong-token-but-long-enough')).status).toBe(401);
  });

  it('refuses a deployment marker without a token with 401, before reading it', async () => {
    const { status, body } = await secured.post('/api/v1/deployments', { service: 'x' });
    expect(status).toBe(401);
    expect(errorOf(body).code).toBe('unauthorized');
  });

  it('accepts the right token; health endpoints stay open', async () => {
    expect((await secured.get('/api/v1/rules', token)).status).toBe(200);
    expect((await secured.get('/healthz')).status).toBe(200);
  });
});

describe('analysis API with Elasticsearch unreachable', () => {
  it('stays up: /healthz 200, /readyz 503 with the reason', async () => {
    expect((await api.get('/healthz')).status).toBe(200);
    const ready = await api.get('/readyz');
    expect(ready.status).toBe(503);
    expect(errorOf(ready.body).code).toBe('elasticsearch_unavailable');
  });

  it('answers data endpoints with 503 and the reason, not 500', { timeout: 60_000 }, async () => {
    for (const path of [
      '/api/v1/alerts',
      '/api/v1/logs?traceId=4bf92f3577b34da6a3ce929d0e0e4736',
      '/api/v1/services',
      '/api/v1/storage',
    ]) {
      const { status, body } = await api.get(path);
      expect(status, path).toBe(503);
      expect(errorOf(body).message).toMatch(/^Elasticsearch is unavailable: /);
    }
  });

  it('still serves the rules, the OpenAPI document and its own metrics', async () => {
    const rules = await api.get('/api/v1/rules');
    expect((rules.body.rules as unknown[]).length).toBeGreaterThanOrEqual(5);
    const openapi = await api.get('/api/v1/openapi.json');
    expect(Object.keys(openapi.body.paths as object)).toContain('/api/v1/alerts');
    const metrics = await fetch(`${api.url}/metrics`);
    expect(await metrics.text()).toContain('lantern_analysis_http_requests_total');
  });
});
