import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createElasticsearchClient } from '../../src/storage/client.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { freePort } from '../../tools/harness/free-port.ts';
import { stack } from '../../tools/harness/otlp.ts';

/**
 * GET /api/v1/health against a cluster of which one node is gone (a port nothing listens on,
 * listed first): the cluster is still there, so every reading says what its health is, never
 * the error of the node that happened to be tried first. With no node left, it says down.
 */
interface Health {
  components: { name: string; state: string; detail: string }[];
}

const esOf = (body: Record<string, unknown>) =>
  (body as unknown as Health).components.find((c) => c.name === 'elasticsearch');

let gone: string;
let oneGone: ApiUnderTest;
let allGone: ApiUnderTest;

beforeAll(async () => {
  gone = `http://127.0.0.1:${String(await freePort())}`;
  oneGone = await startApi(createElasticsearchClient({ url: `${gone},${stack.elasticsearch}` }));
  allGone = await startApi(createElasticsearchClient({ url: gone }));
});

afterAll(async () => {
  await oneGone.close();
  await allGone.close();
});

describe('GET /api/v1/health with an Elasticsearch node gone', () => {
  it('reads the health of the cluster from the nodes left, every time', async () => {
    const details: string[] = [];
    for (let reading = 0; reading < 6; reading += 1) {
      const { status, body } = await oneGone.get('/api/v1/health');
      expect(status).toBe(200);
      details.push(esOf(body)?.detail ?? '');
    }
    expect(details.filter((detail) => !/^cluster (green|yellow)$/.test(detail))).toEqual([]);
  });

  it('says down, naming the connection error, when no node answers', async () => {
    const { body } = await allGone.get('/api/v1/health');
    const health = esOf(body);
    expect(health?.state).toBe('down');
    expect(health?.detail).toMatch(/ECONNREFUSED/);
  });
});
