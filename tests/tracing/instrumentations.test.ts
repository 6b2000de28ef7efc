import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadTelemetryConfig } from '../../src/tracing/config.ts';
import {
  chosenInstrumentations,
  defaultInstrumentations,
} from '../../src/tracing/instrumentations.ts';
import { appFolders, canLoad } from '../../src/tracing/loadable-modules.ts';

const configOf = (name: string, env: NodeJS.ProcessEnv): Record<string, unknown> | undefined => {
  const instrumentations = defaultInstrumentations(loadTelemetryConfig(env));
  try {
    const found = instrumentations.find((i) => i.instrumentationName === name);
    return found?.getConfig() as Record<string, unknown> | undefined;
  } finally {
    for (const instrumentation of instrumentations) instrumentation.disable();
  }
};

describe('the default instrumentations', () => {
  it('only name express routes unless LANTERN_EXPRESS_LAYERS asks for layer spans', () => {
    const stock = '@opentelemetry/instrumentation-express';
    expect(configOf('lantern-express-routes', {})).toBeDefined();
    expect(configOf(stock, {})).toBeUndefined();
    const handlers = { LANTERN_EXPRESS_LAYERS: 'handlers' };
    expect(configOf(stock, handlers)?.ignoreLayersType).toEqual(['middleware', 'router']);
    expect(configOf('lantern-express-routes', handlers)).toBeUndefined();
    expect(configOf(stock, { LANTERN_EXPRESS_LAYERS: 'all' })?.ignoreLayersType).toBeUndefined();
    expect(configOf(stock, { LANTERN_EXPRESS_LAYERS: 'all' })).toBeDefined();
  });

  it('stop re-reading pino and winston lines when logs are off', () => {
    for (const name of [
      '@opentelemetry/instrumentation-pino',
      '@opentelemetry/instrumentation-winston',
    ]) {
      expect(configOf(name, {})?.disableLogSending).toBeFalsy();
      expect(configOf(name, { OTEL_LOGS_EXPORTER: 'none' })?.disableLogSending).toBe(true);
    }
  });

  it('sample event-loop delay every 50 ms unless LANTERN_EVENT_LOOP_RESOLUTION_MS says', () => {
    const name = '@opentelemetry/instrumentation-runtime-node';
    expect(configOf(name, {})?.monitoringPrecision).toBe(50);
    expect(configOf(name, { LANTERN_EVENT_LOOP_RESOLUTION_MS: '10' })?.monitoringPrecision).toBe(
      10,
    );
  });

  it('leave fs, dns, net and router out', () => {
    const names = defaultInstrumentations(loadTelemetryConfig({})).map((i) => {
      i.disable();
      return i.instrumentationName;
    });
    expect(names).toContain('@opentelemetry/instrumentation-http');
    for (const off of ['fs', 'dns', 'net', 'router'])
      expect(names).not.toContain(`@opentelemetry/instrumentation-${off}`);
  });
});

describe('which instrumentations are turned on', () => {
  // An app that can load express and pg, and nothing else.
  const appHas = (module: string): boolean => ['express', 'pg-pool', 'http'].includes(module);
  const chosen = (env: NodeJS.ProcessEnv): string[] =>
    chosenInstrumentations(loadTelemetryConfig(env), appHas);

  it('are those whose library the app can load, and those that need none', () => {
    expect(chosen({})).toEqual(['express', 'http', 'pg', 'runtime-node', 'undici']);
  });

  it('include the Lambda instrumentation only inside AWS Lambda', () => {
    expect(chosen({ LAMBDA_TASK_ROOT: '/var/task', _HANDLER: 'index.handler' })).toContain(
      'aws-lambda',
    );
    expect(chosen({ LAMBDA_TASK_ROOT: '/var/task' })).not.toContain('aws-lambda');
  });

  it('are every one but those off by default with LANTERN_INSTRUMENTATIONS=all', () => {
    const all = chosen({ LANTERN_INSTRUMENTATIONS: 'all' });
    expect(all).toContain('mongodb');
    expect(all).toContain('koa');
    for (const off of ['fs', 'dns', 'net', 'router', 'host-metrics', 'aws-lambda'])
      expect(all).not.toContain(off);
  });

  it('are exactly OTEL_NODE_ENABLED_INSTRUMENTATIONS when set, fs included if named', () => {
    expect(chosen({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http, fs,koa' })).toEqual([
      'http',
      'fs',
      'koa',
    ]);
  });

  it('lose those named in OTEL_NODE_DISABLED_INSTRUMENTATIONS', () => {
    expect(chosen({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'express,undici' })).toEqual([
      'http',
      'pg',
      'runtime-node',
    ]);
  });

  it('are built, only those, from their own packages', () => {
    const built = defaultInstrumentations(
      loadTelemetryConfig({ OTEL_NODE_ENABLED_INSTRUMENTATIONS: 'http,koa' }),
    );
    expect(built.map((i) => i.instrumentationName)).toEqual([
      '@opentelemetry/instrumentation-http',
      'lantern-http-server',
      '@opentelemetry/instrumentation-koa',
    ]);
    for (const instrumentation of built) instrumentation.disable();
  });
});

describe('whether the app can load a module', () => {
  const root = realpathSync(mkdtempSync(join(tmpdir(), 'lantern-loadable-')));
  const app = join(root, 'app', 'src');
  const pkg = (dir: string, name: string, manifest: object = {}): void => {
    mkdirSync(join(dir, name), { recursive: true });
    writeFileSync(join(dir, name, 'package.json'), JSON.stringify({ name, ...manifest }));
  };
  mkdirSync(app, { recursive: true });
  pkg(join(root, 'app', 'node_modules'), 'express');
  // Exports no ./package.json: Node refuses that subpath, which still means it is there.
  pkg(join(root, 'app', 'node_modules'), 'pg', { exports: { '.': './index.js' } });
  pkg(join(root, 'app', 'node_modules', '.pnpm', 'node_modules'), 'mongodb');
  pkg(join(root, 'elsewhere', 'node_modules'), 'koa');
  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('finds packages in node_modules up from the app, pnpm-hoisted ones and builtins', () => {
    for (const module of ['express', 'pg', 'mongodb', 'http', 'dns/promises'])
      expect([module, canLoad(module, [app])]).toEqual([module, true]);
    for (const module of ['koa', 'ioredis'])
      expect([module, canLoad(module, [app])]).toEqual([module, false]);
  });

  it("looks from the main script's folder and the working folder", () => {
    const main = join(app, 'server.js');
    writeFileSync(main, '');
    expect(appFolders(['node', main], join(root, 'elsewhere'))).toEqual([
      app,
      join(root, 'elsewhere'),
    ]);
    expect(appFolders(['node'], root)).toEqual([root]);
  });
});
