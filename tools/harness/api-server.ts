import type { Server } from 'node:http';
import type { Client } from '@elastic/elasticsearch';
import { AlertStore } from '../../src/alerts/alert-store.ts';
import { loadRules } from '../../src/alerts/rules.ts';
import { createApi } from '../../src/api/app.ts';
import { serviceMetrics } from '../../src/api/service-metrics.ts';
import { join } from 'node:path';
import { repoRoot } from '../stack/paths.ts';

export interface ApiUnderTest {
  readonly url: string;
  get(path: string, token?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** The analysis API on an ephemeral loopback port, over the given Elasticsearch client. */
export async function startApi(
  client: Client,
  options: { token?: string; now?: () => number } = {},
): Promise<ApiUnderTest> {
  const app = createApi({
    client,
    store: new AlertStore(client),
    rules: loadRules(join(repoRoot, 'config', 'rules.yaml')),
    apiToken: options.token,
    metrics: serviceMetrics(),
    now: options.now ?? Date.now,
    log: () => undefined,
  });
  const server = await new Promise<Server>((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => {
      resolve(s);
    });
  });
  const address = server.address();
  const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  return {
    url,
    async get(path, token) {
      const response = await fetch(`${url}${path}`, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      const text = await response.text();
      let body: Record<string, unknown>;
      try {
        body = JSON.parse(text) as Record<string, unknown>;
      } catch {
        body = { text };
      }
      return { status: response.status, body };
    },
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
