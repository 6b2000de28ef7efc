import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApi, type ApiUnderTest } from '../../tools/harness/api-server.ts';
import { es } from '../../tools/harness/stores.ts';
import {
  bulkLoad,
  logDocument,
  spanDocument,
  type SeedLog,
  type SeedSpan,
} from '../support/seed.ts';

/**
 * GET /api/v1/services over a sliding window, as the overview asks every 10 s: the service
 * answers from a stored base plus what moved, and must give exactly what a service reading the
 * whole window gives, late data included.
 */
const run = Date.now().toString(36);
const SERVICE = `sliding-${run}`;
const MINUTE = 60_000;
const T0 = Math.floor(Date.now() / MINUTE) * MINUTE - 60 * MINUTE;

const spans: SeedSpan[] = [];
const logs: SeedLog[] = [];
for (let i = 0; i < 3000; i += 1) {
  const at = T0 + Math.floor((i * 60 * MINUTE) / 3000);
  spans.push({
    service: SERVICE,
    route: '/pay',
    at,
    durationMs: 5 + (i % 97) * 3,
    failed: i % 20 === 0,
    weight: 1 + (i % 3),
  });
  logs.push({
    service: SERVICE,
    at,
    severityNumber: i % 10 === 0 ? 17 : 9,
    message: `order ${String(i)}`,
    traceId: i.toString(16).padStart(32, 'd'),
    spanId: i.toString(16).padStart(16, '0'),
  });
}

const clock = { now: T0 + 40 * MINUTE };
let sliding: ApiUnderTest;
const whole = () => startApi(es, { now: () => clock.now });
const index = `seed-sliding-${run.replace(/[^a-z0-9]/g, '')}`;

beforeAll(async () => {
  await bulkLoad(`lantern-spans-${index}`, spans.map(spanDocument));
  await bulkLoad(`lantern-logs-${index}`, logs.map(logDocument));
  sliding = await startApi(es, { now: () => clock.now });
}, 120_000);
afterAll(() => sliding.close());

/** Our service's row of /services over the 30 minutes before the clock. */
async function row(api: ApiUnderTest): Promise<unknown> {
  const window = `from=${new Date(clock.now - 30 * MINUTE).toISOString()}&to=${new Date(clock.now).toISOString()}`;
  const { status, body } = await api.get(`/api/v1/services?${window}`);
  expect(status).toBe(200);
  return (body.services as { service: string }[]).find((s) => s.service === SERVICE);
}

/** The row a service that never answered before (so reads the whole window) gives. */
async function truth(): Promise<unknown> {
  const fresh = await whole();
  try {
    return await row(fresh);
  } finally {
    await fresh.close();
  }
}

describe('/services over a sliding window', () => {
  it('answers each refresh exactly as a read of the whole window would', async () => {
    await row(sliding); // the first answer reads the window whole and keeps a base
    for (const step of [10_000, 10_000, 3 * MINUTE, 17_123]) {
      clock.now += step;
      const answered = await row(sliding);
      expect(answered).toEqual(await truth());
      expect(answered).toMatchObject({ requests: { count: expect.any(Number) as number } });
    }
  });

  it('counts data that arrived late inside the base, rather than the base it had', async () => {
    const before = (await row(sliding)) as { logs: { count: number }; requests: { count: number } };
    // Ten minutes old: well inside the stored base.
    const at = clock.now - 10 * MINUTE;
    await bulkLoad(`lantern-spans-${index}-late`, [
      spanDocument({
        service: SERVICE,
        route: '/pay',
        at,
        durationMs: 900,
        failed: true,
        weight: 5,
      }),
    ]);
    await bulkLoad(`lantern-logs-${index}-late`, [
      logDocument({
        service: SERVICE,
        at,
        severityNumber: 17,
        message: 'late',
        traceId: 'e'.repeat(32),
        spanId: 'e'.repeat(16),
      }),
    ]);
    const after = (await row(sliding)) as { logs: { count: number }; requests: { count: number } };
    expect(after.logs.count).toBe(before.logs.count + 1);
    expect(after.requests.count).toBe(before.requests.count + 5);
    expect(after).toEqual(await truth());
  });
});
