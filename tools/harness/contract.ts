import * as z from 'zod/mini';
import { endpoints, type EndpointKey } from '../../src/contracts/api/endpoints.ts';

const matchers = (Object.keys(endpoints) as EndpointKey[]).map((key) => {
  const [method = '', template = ''] = key.split(' ');
  const pattern = template.replace(/[.]/g, '\\.').replace(/\{[^}]+\}/g, '[^/]+');
  return { key, method, path: new RegExp(`^${pattern}$`) };
});

/** The contract's endpoint a request goes to (`GET /api/v1/alerts/{id}` for `/api/v1/alerts/ab…`). */
export function endpointOf(method: string, url: string): EndpointKey | undefined {
  const path = new URL(url, 'http://any').pathname;
  return matchers.find((m) => m.method === method && m.path.test(path))?.key;
}

/**
 * Throws when a successful answer is not what the API contract (src/contracts/api) says that
 * endpoint answers: a missing, extra or mistyped field, or the wrong success status. The test
 * harness calls it on every answer, so each integration test is also a check of the contract.
 */
export function checkAnswer(method: string, url: string, status: number, body: unknown): void {
  if (status >= 300) return;
  const key = endpointOf(method, url);
  if (key === undefined)
    throw new Error(`${method} ${url} answered ${status} but is not in the API contract`);
  const endpoint = endpoints[key];
  if (status !== endpoint.status) {
    throw new Error(`${key} answered ${status}; the contract says ${endpoint.status}`);
  }
  if (endpoint.body === null) return;
  const parsed = endpoint.body.safeParse(body);
  if (!parsed.success) {
    throw new Error(`${key} answered outside the API contract:\n${z.prettifyError(parsed.error)}`);
  }
}
