import type { Client } from '@elastic/elasticsearch';
import { describe, expect, it, vi } from 'vitest';
import { evaluationReader, observe } from '../../src/alerts/observe.ts';
import { parseRules } from '../../src/alerts/rules.ts';

describe('one evaluation reads each set of request figures once', () => {
  it('the two p95 rules of a window share one Elasticsearch query; an error-rate rule asks its own', async () => {
    // A stand-in client that only counts searches (the queries themselves are tested against the
    // real Elasticsearch in tests/integration/analysis-api.test.ts).
    const search = vi.fn(() => Promise.resolve({ aggregations: { groups: { buckets: [] } } }));
    const client = { search } as unknown as Client;
    const rules = parseRules({
      rules: [
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
        { name: 'errors', kind: 'error_rate', threshold: 0.05, severity: 'high' },
      ],
    });
    const read = evaluationReader(client);
    const range = { from: 0, to: 300_000 };
    for (const rule of rules) await observe(client, rule, range, read);
    expect(search).toHaveBeenCalledTimes(2);
  });
});
