import type { Client } from '@elastic/elasticsearch';
import { describe, expect, it, vi } from 'vitest';
import { observe } from '../../src/alerts/observe.ts';
import { evaluationReader } from '../../src/storage/evaluation-reader.ts';
import { parseRules } from '../../src/alerts/rules.ts';

/** Lantern's two default p95 rules: one window, two thresholds. */
const p95Rules = [
  {
    name: 'p95-slow',
    kind: 'latency_percentile',
    percentile: 95,
    threshold_ms: 500,
    severity: 'medium',
  },
  {
    name: 'p95-critical',
    kind: 'latency_percentile',
    percentile: 95,
    threshold_ms: 1000,
    severity: 'critical',
  },
];

describe('one evaluation reads each set of request figures once', () => {
  it('the two p95 rules of a window share one Elasticsearch query; an error-rate rule asks its own', async () => {
    // A stand-in client that only counts searches (the queries themselves are tested against the
    // real Elasticsearch in tests/integration/analysis-api.test.ts).
    const search = vi.fn(() => Promise.resolve({ aggregations: { groups: { buckets: [] } } }));
    const client = { search } as unknown as Client;
    const rules = parseRules({
      rules: [
        ...p95Rules,
        { name: 'errors', kind: 'error_rate', threshold: 0.05, severity: 'high' },
      ],
    });
    const read = evaluationReader(client);
    const range = { from: 0, to: 300_000 };
    for (const rule of rules) await observe(client, rule, range, read);
    expect(search).toHaveBeenCalledTimes(2);
  });

  it('asks for the exemplars of a service once when both p95 rules fire for it', async () => {
    // One slow service: every request took 2 s, so both p95 thresholds (0.5 s, 1 s) are passed.
    const group = {
      key: { key: 'checkout' },
      doc_count: 50,
      requests: { value: 50 },
      spread: { sum_of_squares: 50 },
      since: { value: 0 },
      errors: { requests: { value: 0 }, spread: { sum_of_squares: null } },
      latency: {
        buckets: [{ from: 1_990_000, to: 2_010_000, doc_count: 50, requests: { value: 50 } }],
      },
    };
    const search = vi.fn((request: { size?: number }) =>
      Promise.resolve(
        request.size === 0
          ? { aggregations: { groups: { buckets: [group] } } }
          : { hits: { hits: [{ _source: { TraceId: 'a'.repeat(32) } }] } },
      ),
    );
    const client = { search } as unknown as Client;
    const rules = parseRules({ rules: p95Rules });
    const read = evaluationReader(client);
    const range = { from: 0, to: 300_000 };
    const observed = [];
    for (const rule of rules) observed.push(...(await observe(client, rule, range, read)));
    expect(observed.map((o) => [o.active, o.exemplarTraceIds])).toEqual([
      [true, ['a'.repeat(32)]],
      [true, ['a'.repeat(32)]],
    ]);
    // One search for the figures, one for the exemplars.
    expect(search).toHaveBeenCalledTimes(2);
  });
});
