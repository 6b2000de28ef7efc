import { describe, expect, it, vi } from 'vitest';
import type { AlertStore } from '../../src/storage/alert-store.ts';
import { parseRulesFile } from '../../src/alerts/rules.ts';
import { sloStatuses } from '../../src/alerts/slo-status.ts';
import type { Client } from '../../src/storage/client.ts';

describe('SLO status', () => {
  it('reads through the evaluation reader: two SLOs over the same requests read each window once', async () => {
    // A stand-in client that only counts searches; the figures themselves are tested against
    // the real Elasticsearch in tests/integration/slo.test.ts.
    const search = vi.fn(() => Promise.resolve({ aggregations: { groups: { buckets: [] } } }));
    const client = { search } as unknown as Client;
    const store = { list: () => Promise.resolve([]) } as unknown as AlertStore;
    const { slos } = parseRulesFile({
      rules: [],
      slos: [
        {
          name: 'checkout-availability',
          service: 'checkout',
          kind: 'availability',
          objective: 0.99,
        },
        { name: 'checkout-strict', service: 'checkout', kind: 'availability', objective: 0.999 },
      ],
    });
    expect(await sloStatuses(client, store, slos, Date.UTC(2026, 0, 1))).toEqual([]);
    // The period and the default alerts' distinct windows (5m, 30m, 1h, 6h, 3d): six questions.
    expect(search).toHaveBeenCalledTimes(6);
  });
});
