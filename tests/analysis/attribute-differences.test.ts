import { describe, expect, it } from 'vitest';
import {
  beyondChance,
  candidates,
  observationsOf,
  rankDifferences,
  type Measured,
  type Observation,
  type SampledRequest,
} from '../../src/analysis/attribute-differences.ts';

const attr = (key: string, value: string): Observation => ({
  source: 'span',
  key,
  value,
  field: `Attributes.${key}`,
});
const measured = (o: Observation, selection: number, baseline: number, n = 1000): Measured => ({
  observation: o,
  selection,
  baseline,
  selectionSpans: n,
  baselineSpans: n,
});

describe('observations of a stored span', () => {
  it('takes span and resource attributes and the name, not the weight, service or long values', () => {
    const found = observationsOf({
      Name: 'GET /a',
      'Attributes.http.route': '/a',
      'Attributes.lantern.sampling.weight': 4,
      'Attributes.url.full': `http://x/${'y'.repeat(300)}`,
      'Resource.service.name': 'shop',
      'Resource.host.name': 'h1',
      'Resource.process.command_args': ['node', 'app.js'],
    }).map((o) => `${o.source}:${o.key}=${String(o.value)}`);
    expect(found.sort()).toEqual([
      'resource:host.name=h1',
      'span:http.route=/a',
      'span:span.name=GET /a',
    ]);
  });
});

describe('candidates', () => {
  it('keeps values in at least 10% of the selection and more common there, weighted', () => {
    const req = (weight: number, ...o: Observation[]): SampledRequest => ({
      weight,
      traceId: 't',
      observations: o,
    });
    const a = attr('http.route', '/a');
    const b = attr('http.route', '/b');
    const rare = attr('app.tier', 'gold');
    // /a: 9 of 10 weight in the selection, 1 of 2 in the baseline; gold only 1 of 91.
    const selection = [req(90, a), req(10, b), req(1, b, rare)].slice(0, 3);
    const baseline = [req(1, a), req(1, b)];
    expect(candidates(selection, baseline, 10)).toEqual([a]);
  });
});

describe('ranking', () => {
  it('needs a difference beyond chance for the spans measured', () => {
    expect(beyondChance(measured(attr('k', 'v'), 0.6, 0.4, 20))).toBe(false);
    expect(beyondChance(measured(attr('k', 'v'), 0.6, 0.4, 1000))).toBe(true);
    expect(beyondChance(measured(attr('k', 'v'), 0.43, 0.4, 1_000_000))).toBe(false);
  });

  it('ranks by over-representation, folds values of the same requests, keeps outcomes apart', () => {
    const ranked = rankDifferences([
      measured(attr('app.tier', 'gold'), 0.5, 0.2),
      measured({ source: 'span', key: 'span.name', value: 'GET /a', field: 'Name' }, 0.9, 0.1),
      measured(attr('http.route', '/a'), 0.9, 0.1),
      measured(attr('http.response.status_code', '500'), 1, 0),
      measured(attr('http.request.method', 'GET'), 1, 0.98),
    ]);
    expect(ranked.attributes).toEqual([
      {
        source: 'span',
        key: 'http.route',
        value: '/a',
        selection: 0.9,
        baseline: 0.1,
        sameAs: ['span.name=GET /a'],
      },
      { source: 'span', key: 'app.tier', value: 'gold', selection: 0.5, baseline: 0.2, sameAs: [] },
    ]);
    expect(ranked.outcomes.map((d) => d.key)).toEqual(['http.response.status_code']);
  });
});
