import { describe, expect, it } from 'vitest';
import { normalizePath, samplingKey } from '../../../src/tracing/sampler/sampling-key.ts';

describe('sampling keys', () => {
  it('replaces ids in paths so one route is one key', () => {
    expect(normalizePath('/orders/42/items/sku-17?x=1')).toBe('/orders/:id/items/:id');
    expect(normalizePath('/users/3f2a9c1e-7b7d-4c1e-9a51-0c9f3e1d2b4a')).toBe('/users/:id');
    expect(normalizePath('/api/v1/health')).toBe('/api/v1/health');
    expect(normalizePath('/a/b/c/d/e/f')).toBe('/a/b/c/d');
  });

  it('keys HTTP server spans by method and route, others by name', () => {
    expect(
      samplingKey('GET', { 'http.request.method': 'GET', 'url.path': '/checkout/sku-9' }),
    ).toBe('GET /checkout/:id');
    expect(samplingKey('GET', { 'http.method': 'GET', 'http.target': '/checkout/123' })).toBe(
      'GET /checkout/:id',
    );
    expect(samplingKey('nightly-job', {})).toBe('nightly-job');
  });
});
