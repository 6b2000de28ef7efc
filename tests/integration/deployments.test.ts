import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deployment } from '../../src/contracts/api/deployments.ts';
import { fields } from '../../src/contracts/fields.ts';
import { indices } from '../../src/contracts/indices.ts';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { es } from '../../tools/harness/stores.ts';
import { bulkLoad, spanDocument } from '../support/seed.ts';

/**
 * Deploys against the real Elasticsearch and the analysis API: a service whose spans switch
 * from version 1.0 to 1.1 with a minute of both (a rolling deploy), one that never sets
 * service.version, and markers a pipeline posts.
 */
const run = Date.now().toString(36);
const ROLLING = `dep-rolling-${run}`;
const UNVERSIONED = `dep-plain-${run}`;
const SILENT = `dep-silent-${run}`;
const MINUTE = 60_000;
const T = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
const START = T - 30 * MINUTE;
const at = (i: number) => START + i * 2000 + 250;
const iso = (ms: number) => new Date(ms).toISOString();
/** Spans 0–299 are 1.0; 300–329 alternate, 1.1 from 301; from 330 on, 1.1. */
const version = (i: number) => (i < 300 || (i < 330 && i % 2 === 0) ? '1.0' : '1.1');
const FIRST_OF_NEW = at(301);

const documents: Record<string, unknown>[] = [];
for (let i = 0; i < 30 * 30; i += 1) {
  documents.push(
    {
      ...spanDocument({
        service: ROLLING,
        route: '/',
        at: at(i),
        durationMs: 20,
        failed: false,
        weight: 1,
      }),
      [fields.serviceVersion]: version(i),
    },
    spanDocument({
      service: UNVERSIONED,
      route: '/',
      at: at(i),
      durationMs: 20,
      failed: false,
      weight: 1,
    }),
  );
}

let api: ApiUnderTest;
beforeAll(async () => {
  await bulkLoad(`lantern-spans-seed-deployments-${run}`, documents);
  api = await startApi(es);
}, 120_000);
afterAll(async () => {
  await api.close();
  for (const service of [ROLLING, UNVERSIONED, SILENT]) {
    const marked = await es.search({
      index: indices.deployments.index,
      ignore_unavailable: true,
      size: 100,
      query: { term: { service } },
    });
    for (const hit of marked.hits.hits)
      await es.delete({ index: indices.deployments.index, id: hit._id ?? '', refresh: true });
  }
});

const window = `from=${iso(START)}&to=${iso(T)}`;
async function deployments(service: string, range = window) {
  const { status, body } = await api.get(`/api/v1/deployments?service=${service}&${range}`);
  expect(status).toBe(200);
  return body as {
    deployments: Deployment[];
    detection: { status: string; versions: string[]; note: string };
  };
}

describe('deployments', () => {
  it('detects one deploy where a new version takes over, at its first span', async () => {
    const body = await deployments(ROLLING);
    expect(body.detection).toMatchObject({ status: 'versioned', versions: ['1.0', '1.1'] });
    expect(body.deployments).toEqual([
      {
        service: ROLLING,
        version: '1.1',
        previousVersion: '1.0',
        at: iso(FIRST_OF_NEW),
        source: 'detected',
        by: null,
        link: null,
      },
    ]);
  });

  it('detects nothing within one version: the range after the switch has no deploy', async () => {
    const body = await deployments(ROLLING, `from=${iso(at(340))}&to=${iso(T)}`);
    expect(body.detection.versions).toEqual(['1.1']);
    expect(body.deployments).toEqual([]);
  });

  it('says so for a service that never sets service.version, and for one with no spans', async () => {
    const plain = await deployments(UNVERSIONED);
    expect(plain.deployments).toEqual([]);
    expect(plain.detection.status).toBe('unversioned');
    expect(plain.detection.note).toContain('carry no service.version');
    const silent = await deployments(SILENT);
    expect(silent.detection.status).toBe('no-spans');
  });

  it('lists a marked deploy with the detected one, in time order, each with its source', async () => {
    const marker = {
      service: ROLLING,
      version: '1.2',
      at: iso(T - 5 * MINUTE),
      by: 'ci',
      link: 'https://ci.example/runs/42',
    };
    const created = await api.post('/api/v1/deployments', marker);
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ ...marker, source: 'marked', previousVersion: null });
    // A pipeline's retry (epoch ms this time) marks the same deploy once.
    expect((await api.post('/api/v1/deployments', { ...marker, at: T - 5 * MINUTE })).status).toBe(
      201,
    );
    // One before the range is not listed.
    await api.post('/api/v1/deployments', { ...marker, version: '0.9', at: iso(START - MINUTE) });
    const body = await deployments(ROLLING);
    expect(body.deployments.map((d) => [d.source, d.version, d.at])).toEqual([
      ['detected', '1.1', iso(FIRST_OF_NEW)],
      ['marked', '1.2', iso(T - 5 * MINUTE)],
    ]);
  });

  it('lists a marked deploy of a service that never sets service.version', async () => {
    const created = await api.post('/api/v1/deployments', {
      service: UNVERSIONED,
      version: '7',
      at: iso(T - 2 * MINUTE),
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ by: null, link: null });
    const body = await deployments(UNVERSIONED);
    expect(body.detection.status).toBe('unversioned');
    expect(body.deployments.map((d) => [d.source, d.version])).toEqual([['marked', '7']]);
  });

  it('refuses a marker without a service or with a bad time, naming the field, and stores nothing', async () => {
    const noService = await api.post('/api/v1/deployments', { version: '2.0' });
    expect(noService.status).toBe(400);
    expect((noService.body.error as { message: string }).message).toMatch(/^parameter "service"/);
    const badTime = await api.post('/api/v1/deployments', {
      service: SILENT,
      version: '2.0',
      at: '2026-13-01T00:00:00Z',
    });
    expect(badTime.status).toBe(400);
    expect((badTime.body.error as { message: string }).message).toMatch(/^parameter "at"/);
    const upToNow = `from=${iso(START)}&to=${iso(Date.now() + MINUTE)}`;
    expect((await deployments(SILENT, upToNow)).deployments).toEqual([]);
  });
});
