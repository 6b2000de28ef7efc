import { describe, expect, it } from 'vitest';
import { requireNode } from '../../../tools/stack/require-node.ts';

describe('Node.js version gate', () => {
  it('accepts 22.15 and newer', () => {
    expect(() => {
      requireNode('22.15.0');
    }).not.toThrow();
    expect(() => {
      requireNode('24.1.0');
    }).not.toThrow();
  });

  it('refuses older versions and says how to get the right one', () => {
    expect(() => {
      requireNode('20.20.2');
    }).toThrow(/needs Node.js >= 22.15 \(this is 20.20.2\).*npm/);
    expect(() => {
      requireNode('22.14.9');
    }).toThrow(/22.15/);
  });
});
