import { describe, expect, it } from 'vitest';
import { causeRank } from '../../bench/why/cause-rank.ts';
import { INCIDENTS, ONSET, requests, SLOW_MS, type Request } from '../../bench/why/scenario.ts';

describe('the rank of a cause in the differences answer', () => {
  const ranked = [
    { key: 'http.route', value: '/checkout', sameAs: ['span.name=POST /checkout'] },
    { key: 'host.name', value: 'host-2', sameAs: [] },
  ];

  it('is the row that names it, or the row it was folded into', () => {
    expect(causeRank(ranked, 'host.name=host-2')).toBe(2);
    expect(causeRank(ranked, 'span.name=POST /checkout')).toBe(1);
  });

  it('is undefined when no row names it', () => {
    expect(causeRank(ranked, 'host.name=host-3')).toBeUndefined();
    expect(causeRank([], 'host.name=host-2')).toBeUndefined();
  });
});

describe('the seeded incidents', () => {
  const all = [...requests()];
  const trait = (r: Request, key: string): string | undefined =>
    ({
      'http.route': r.traits.route,
      'service.version': r.traits.version,
      'host.name': r.traits.host,
      'service.instance.id': r.traits.instance,
      'app.customer.tier': r.traits.tier,
      'downstream.error': r.call && `backend ${r.call.operation}`,
      'downstream.slow': r.call && `backend ${r.call.operation}`,
    })[key];

  it.each(INCIDENTS.map((incident, index) => [incident.name, incident, index] as const))(
    '%s: the cause alone makes its selection stand out',
    (_, incident, index) => {
      const [key = '', value] = incident.cause.split(/=(.*)/);
      const during = all.filter((r) => r.incident === index && r.atMs >= ONSET * 60_000);
      const selected = (r: Request) =>
        incident.selection === 'failed' ? r.failed : r.durationMs >= SLOW_MS;
      const rate = (group: Request[]) => group.filter(selected).length / group.length;
      const withCause = during.filter((r) => trait(r, key) === value);
      const without = during.filter((r) => trait(r, key) !== value);
      // The factor strikes a share of the requests it touches; elsewhere only background noise.
      expect(rate(withCause)).toBeGreaterThan(incident.share * 0.8);
      expect(rate(without)).toBeLessThan(0.01);
    },
  );
});
