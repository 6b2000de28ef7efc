import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';
import { InstrumentationBase } from '@opentelemetry/instrumentation';
import { describe, expect, it } from 'vitest';
import { catalogue, packageOf } from '../../src/tracing/instrumentation-catalogue.ts';

describe("the instrumentation catalogue (Lantern's copy of auto-instrumentations-node's list)", () => {
  // Every instrumentation the installed metapackage knows, each turned on.
  const installed = getNodeAutoInstrumentations(
    Object.fromEntries(Object.keys(catalogue).map((name) => [packageOf(name), { enabled: true }])),
  );

  it('names exactly the instrumentations of the installed auto-instrumentations-node', () => {
    expect(installed.map((i) => i.instrumentationName).sort()).toEqual(
      Object.keys(catalogue).map(packageOf).sort(),
    );
  });

  it('gives each one the class its package exports and the modules it patches', () => {
    for (const instrumentation of installed) {
      const name = instrumentation.instrumentationName.replace(
        '@opentelemetry/instrumentation-',
        '',
      );
      const entry = catalogue[name];
      if (!(instrumentation instanceof InstrumentationBase))
        throw new Error(`${name} is not an InstrumentationBase`);
      const patched = instrumentation.getModuleDefinitions().map((module) => module.name);
      expect({
        name,
        className: instrumentation.constructor.name,
        modules: [...new Set(patched)],
      }).toEqual({
        name,
        className: entry?.className,
        modules: entry?.modules,
      });
      instrumentation.disable();
    }
  });
});
