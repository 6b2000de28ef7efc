/**
 * What Lantern's patches reach into, and the versions each was written against. A patch relies
 * on internals no version number promises (a stream class, a prototype method, a channel's
 * message), so each is held to this table by tests/tracing/patches/: a test fails when the
 * installed upstream leaves its range or the internal shape the patch needs is gone. Widen a
 * range only after those tests pass against the new version.
 */
export interface Upstream {
  /** The npm package, or `node` for Node's own modules. */
  readonly package: string;
  /** Lowest version the patch was written against, inclusive. */
  readonly from: string;
  /** First version it was not, exclusive. */
  readonly below: string;
}

const pino = { package: 'pino', from: '10.0.0', below: '11.0.0' } as const;
const pinoInstrumentation = {
  package: '@opentelemetry/instrumentation-pino',
  from: '0.70.0',
  below: '0.71.0',
} as const;
const express = { package: 'express', from: '4.0.0', below: '6.0.0' } as const;
/** Express 5's Router and Layer. */
const router = { package: 'router', from: '2.0.0', below: '3.0.0' } as const;
const node = { package: 'node', from: '22.15.0', below: '23.0.0' } as const;
const contextAsyncHooks = {
  package: '@opentelemetry/context-async-hooks',
  from: '3.0.0',
  below: '4.0.0',
} as const;

/** The upstream packages the patches rely on, by name. */
export const upstream = { pino, pinoInstrumentation, express, router, node, contextAsyncHooks };

/** Each patch (its file in this folder) and the upstream versions it was written against. */
export const writtenAgainst = {
  'pino-log-records': [pino, pinoInstrumentation],
  'express-routes': [express, router],
  'http-server-spans': [node],
  'context-manager': [contextAsyncHooks],
} as const satisfies Record<string, readonly Upstream[]>;

export type Patch = keyof typeof writtenAgainst;

/** The range as semver writes it: `>=4.0.0 <6.0.0`. */
export const rangeOf = (upstream: Upstream): string => `>=${upstream.from} <${upstream.below}`;
