import { loadServiceConfig, storageSettings } from '../../src/service/config.ts';
import type { Server } from 'node:http';
import { checkAnswer } from './contract.ts';
import type { Client } from '@elastic/elasticsearch';
import { AlertStore } from '../../src/storage/alert-store.ts';
import type { AlertmanagerSettings } from '../../src/alerts/alertmanager.ts';
import { loadRules } from '../../src/alerts/rules.ts';
import type { Slo } from '../../src/alerts/slo.ts';
import { createApi } from '../../src/service/api.ts';
import type { NotificationDelivery } from '../../src/api/routes/notifications.ts';
import { serviceMetrics } from '../../src/api/service-metrics.ts';
import { join } from 'node:path';
import { repoRoot } from '../stack/paths.ts';

/**
 * Status and JSON body of a request (a body that is not JSON comes back as `{ text }`). A
 * successful answer that is not what the API contract says throws, so every test through this
 * harness checks the contract too.
 */
async function request(
  url: string,
  init: RequestInit,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(text) as Record<string, unknown>;
  } catch {
    body = { text };
  }
  checkAnswer(init.method ?? 'GET', url, response.status, body);
  return { status: response.status, body };
}

export interface ApiUnderTest {
  readonly url: string;
  get(path: string, token?: string): Promise<{ status: number; body: Record<string, unknown> }>;
  post(path: string, body: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  close(): Promise<void>;
}

/** The analysis API on an ephemeral loopback port, over the given Elasticsearch client. */
export async function startApi(
  client: Client,
  options: {
    token?: string;
    now?: () => number;
    alertmanager?: AlertmanagerSettings;
    /** Serve the built console too (dist/console). */
    withConsole?: boolean;
    slos?: readonly Slo[];
    notifications?: NotificationDelivery;
  } = {},
): Promise<ApiUnderTest> {
  const app = createApi({
    client,
    store: new AlertStore(client),
    rules: loadRules(join(repoRoot, 'config', 'rules.yaml')),
    slos: options.slos ?? [],
    apiToken: options.token,
    metrics: serviceMetrics(),
    now: options.now ?? Date.now,
    log: () => undefined,
    alertmanager: options.alertmanager,
    notifications: options.notifications,
    consoleDir: options.withConsole ? join(repoRoot, 'dist', 'console') : undefined,
    // The defaults, as the analysis service has them without settings.
    storage: storageSettings(loadServiceConfig({})),
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
    get: (path, token) =>
      request(`${url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} }),
    post: (path, body) =>
      request(`${url}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }),
    close: () =>
      new Promise((resolve) => {
        server.close(() => {
          resolve();
        });
      }),
  };
}
