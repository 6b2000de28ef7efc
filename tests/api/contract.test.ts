import { loadServiceConfig, storageSettings } from '../../src/service/config.ts';
import { describe, expect, it } from 'vitest';
import { endpoints } from '../../src/contracts/api/endpoints.ts';
import { openApiDocument } from '../../src/api/openapi.ts';
import { serviceMetrics } from '../../src/api/service-metrics.ts';
import { createApi } from '../../src/service/api.ts';
import { AlertStore } from '../../src/storage/alert-store.ts';
import { createElasticsearchClient } from '../../src/storage/client.ts';
import { checkAnswer } from '../../tools/harness/contract.ts';

interface Layer {
  rawPath?: string | string[];
  route?: { path: string; methods: Record<string, boolean> };
  handle: { stack?: Layer[] };
}

/** Every `METHOD path` the express app serves, mounted routers walked, params as OpenAPI writes them. */
function served(stack: readonly Layer[], prefix = ''): string[] {
  return stack.flatMap((layer) => {
    if (layer.route) {
      const path = `${prefix}${layer.route.path}`.replace(/:(\w+)/g, '{$1}');
      return Object.keys(layer.route.methods).map((method) => `${method.toUpperCase()} ${path}`);
    }
    const mount = typeof layer.rawPath === 'string' && layer.rawPath !== '/' ? layer.rawPath : '';
    return layer.handle.stack ? served(layer.handle.stack, `${prefix}${mount}`) : [];
  });
}

// Nothing listens here: building the app makes no request.
const client = createElasticsearchClient({ url: 'http://127.0.0.1:9', requestTimeoutMs: 1000 });
const app = createApi({
  client,
  store: new AlertStore(client),
  rules: [],
  slos: [],
  apiToken: undefined,
  metrics: serviceMetrics(),
  now: Date.now,
  log: () => undefined,
  storage: storageSettings(loadServiceConfig({})),
});

describe('one API contract (src/contracts/api)', () => {
  it('names every route the API serves, and the API serves every route it names', () => {
    const routes = served((app as unknown as { router: { stack: Layer[] } }).router.stack);
    expect(routes.length).toBeGreaterThan(10);
    expect(new Set(routes)).toEqual(new Set(Object.keys(endpoints)));
  });

  it('gives the OpenAPI document every route, each success with its schema', () => {
    const document = openApiDocument();
    const operations = Object.entries(document.paths).flatMap(([path, methods]) =>
      Object.entries(methods).map(([method, operation]) => ({
        key: `${method.toUpperCase()} ${path}`,
        operation,
      })),
    );
    expect(operations.map((o) => o.key).sort()).toEqual(Object.keys(endpoints).sort());
    for (const { key, operation } of operations) {
      const endpoint = endpoints[key as keyof typeof endpoints];
      const success = (operation.responses as Record<number, unknown>)[endpoint.status] as {
        content: Record<string, { schema: { type?: string; properties?: object } }>;
      };
      const schema =
        success.content[endpoint.body === null ? 'text/plain' : 'application/json']?.schema;
      expect(schema?.type, key).toBe(endpoint.body === null ? 'string' : 'object');
      if (endpoint.body !== null)
        expect(Object.keys(schema?.properties ?? {}), key).not.toEqual([]);
    }
  });

  it('rejects an answer that drifted from the contract, naming the field', () => {
    const alert = {
      id: '0123456789abcdef0123',
      rule: 'error-rate-high',
      severity: 'high',
      severityRank: 3,
      state: 'firing',
      service: 'checkout',
      summary: 's',
      description: 'd',
      value: 0.3,
      threshold: 0.05,
      startsAt: '2026-12-07T10:00:00.000Z',
      endsAt: null,
      updatedAt: '2026-12-07T10:01:00.000Z',
      lastActiveAt: '2026-12-07T10:01:00.000Z',
      labels: { service: 'checkout' },
      annotations: {},
      exemplarTraceIds: [],
      incidentId: '0123456789abcdef0123',
    };
    expect(() => {
      checkAnswer('GET', '/api/v1/alerts', 200, { alerts: [alert] });
    }).not.toThrow();
    const missing: Partial<typeof alert> = { ...alert };
    delete missing.lastActiveAt;
    expect(() => {
      checkAnswer('GET', '/api/v1/alerts', 200, { alerts: [missing] });
    }).toThrow(/lastActiveAt/);
    expect(() => {
      checkAnswer('GET', '/api/v1/alerts/0123456789abcdef0123', 200, {
        alert: { ...alert, severity: 'urgent' },
        history: [],
      });
    }).toThrow(/severity/);
    expect(() => {
      checkAnswer('GET', '/api/v1/alerts', 200, { alerts: [], extra: 1 });
    }).toThrow(/extra/);
    expect(() => {
      checkAnswer('POST', '/api/v1/silences', 200, {});
    }).toThrow(/201/);
    expect(() => {
      checkAnswer('GET', '/api/v1/nothing', 200, {});
    }).toThrow(/not in the API contract/);
  });
});
