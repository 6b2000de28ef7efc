import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AlertLease } from '../../src/storage/alert-lease.ts';
import { indices } from '../../src/contracts/indices.ts';
import { es } from '../../tools/harness/stores.ts';

/**
 * The alert lease against the real Elasticsearch: replicas racing for it with one shared clock
 * (set by the test). The files of this suite run one at a time, so no analysis service holds
 * the lease meanwhile; the document is removed afterwards.
 */
const clock = { now: Date.now() };
const contender = (name: string) =>
  new AlertLease(es, { holder: name, ttlMs: 15_000, now: () => clock.now });
const removeLease = () =>
  es.delete({ index: indices.alertLease.index, id: 'alert-engine' }, { ignore: [404] });

beforeAll(removeLease);
afterAll(removeLease);

describe('the alert lease', () => {
  it('of five replicas claiming at once, exactly one wins, round after round', async () => {
    const leases = ['a', 'b', 'c', 'd', 'e'].map(contender);
    for (let round = 0; round < 10; round += 1) {
      // Each round starts after the last holder's lease expired, so every replica may take it.
      clock.now += 16_000;
      const held = await Promise.all(leases.map((lease) => lease.claim()));
      expect(held.filter(Boolean)).toHaveLength(1);
      const winner = leases[held.indexOf(true)];
      // Everyone agrees who holds it.
      for (const lease of leases) expect(lease.current?.holder).toBe(winner?.holder);
    }
  });

  it('is kept by a holder that renews it, and passes on only when it expires or is released', async () => {
    await removeLease();
    const [a, b] = [contender('a'), contender('b')];
    expect(await a.claim()).toBe(true);
    for (let i = 0; i < 5; i += 1) {
      clock.now += 10_000; // within the 15 s: a renews, b finds it held
      expect(await a.claim()).toBe(true);
      expect(await b.claim()).toBe(false);
    }
    clock.now += 15_001; // a stopped renewing
    expect(a.held()).toBe(false);
    expect(await b.claim()).toBe(true);
    expect(await a.claim()).toBe(false);
    await b.release();
    expect(await a.claim()).toBe(true);
  });
});
