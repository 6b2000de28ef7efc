import { context, propagation, SpanStatusCode } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import type Express from 'express';
import type { Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LanternContextManager } from '../../../src/tracing/patches/context-manager.ts';
import { ExpressRoutes, joinedRoute } from '../../../src/tracing/patches/express-routes.ts';
import { HttpServerSpans } from '../../../src/tracing/patches/http-server-spans.ts';
import { expectInstalledWithinRange } from './installed.ts';

const spans = new InMemorySpanExporter();
const serverSpans = new HttpServerSpans();
const routes = new ExpressRoutes({ enabled: false });
let server: Server;
let base = '';

/** An app with the shapes routes take: mounted routers, params in mounts, fall-through, errors. */
function app(express: typeof Express): Express.Express {
  const app = express();
  app.use(express.json());
  app.get('/users/:id', (_req, res) => {
    res.send('user');
  });

  const orders = express.Router();
  orders.get('/:orderId', (_req, res) => {
    res.send('order');
  });
  const shops = express.Router({ mergeParams: true });
  shops.use('/orders', orders);
  shops.get('/', (_req, res) => {
    res.send('shop');
  });
  app.use('/shops/:shop', shops);

  const v1 = express.Router();
  v1.get('/a', (_req, res) => {
    res.send('a');
  });
  app.use('/v1', v1);
  app.get('/v1/b', (_req, res) => {
    res.send('b: after v1 let the request go');
  });

  const api = express.Router();
  api.get('/boom', () => {
    throw new Error('boom');
  });
  app.use('/api', api);
  app.use('/api', (error: Error, _req: Express.Request, res: Express.Response, _next: unknown) => {
    res.status(502).send(error.message);
  });
  app.get(/^\/files\/.*\.txt$/, (_req, res) => {
    res.send('file');
  });
  api.get('/late', async () => {
    await new Promise((resolve) => setTimeout(resolve, 1));
    throw new Error('late');
  });

  app.get('/skip/:id', (_req, _res, next) => {
    next('route');
  });
  app.get('/skip/me', (_req, res) => {
    res.send('me');
  });
  app.post('/only-post', (_req, res) => {
    res.send('posted');
  });
  const leaves = express.Router();
  leaves.get('/r', (_req, _res, next) => {
    next('router');
  });
  app.use('/leaves', leaves);

  const admin = express();
  admin.get('/users/:id', (_req, res) => {
    res.send('admin user');
  });
  app.use('/admin', admin);
  app.route('/items').get((_req, res) => {
    res.send('items');
  });
  app.get(['/one', '/two'], (_req, res) => {
    res.send('either');
  });
  return app;
}

/** The response to a request, and the server span it made (found by its path). */
async function served(
  path: string,
  method = 'GET',
): Promise<{ status: number; span: ReadableSpan | undefined }> {
  spans.reset();
  const response = await fetch(base + path, { method });
  await response.text();
  const mine = () => spans.getFinishedSpans().find((span) => span.attributes['url.path'] === path);
  for (let tries = 0; tries < 200 && mine() === undefined; tries++)
    await new Promise((resolve) => setTimeout(resolve, 10));
  return { status: response.status, span: mine() };
}

beforeAll(async () => {
  context.setGlobalContextManager(new LanternContextManager());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  serverSpans.setTracerProvider(
    new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter: spans })] }),
  );
  serverSpans.enable();
  routes.enable();
  // Through Node's require, as an app would load it, so the instrumentation's hook patches it.
  const express = createRequire(import.meta.url)('express') as typeof Express;
  server = app(express).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${String((server.address() as AddressInfo).port)}`;
});

afterAll(async () => {
  routes.disable();
  serverSpans.disable();
  await new Promise((resolve) => server.close(resolve));
  context.disable();
  propagation.disable();
});

describe('ExpressRoutes', () => {
  it('names the server span by the route that matched', async () => {
    const { status, span } = await served('/users/42');
    expect(status).toBe(200);
    expect(span?.name).toBe('GET /users/:id');
    expect(span?.attributes['http.route']).toBe('/users/:id');
  });

  it('joins the patterns of the routers a request went through, parameters included', async () => {
    expect((await served('/shops/7/orders/9')).span?.attributes['http.route']).toBe(
      '/shops/:shop/orders/:orderId',
    );
    expect((await served('/shops/7')).span?.attributes['http.route']).toBe('/shops/:shop');
  });

  it('forgets a router the request left without a match', async () => {
    const { status, span } = await served('/v1/b');
    expect(status).toBe(200);
    expect(span?.attributes['http.route']).toBe('/v1/b');
  });

  it('names a failed request by its route, and leaves error handlers working', async () => {
    const { status, span } = await served('/api/boom');
    expect(status).toBe(502);
    expect(span?.name).toBe('GET /api/boom');
    expect(span?.status.code).toBe(SpanStatusCode.ERROR);
  });

  it('names a route whose async handler failed', async () => {
    const { status, span } = await served('/api/late');
    expect(status).toBe(502);
    expect(span?.name).toBe('GET /api/late');
  });

  it('takes the name back when a route lets the request go on', async () => {
    expect((await served('/skip/me')).span?.attributes['http.route']).toBe('/skip/me');
    for (const [path, method] of [
      ['/skip/other', 'GET'], // next('route') to nothing that matches
      ['/only-post', 'HEAD'], // HEAD enters any route with the path, then finds no handler
      ['/leaves/r', 'GET'], // next('router') out of a mounted router
    ] as const) {
      const { status, span } = await served(path, method);
      expect(status, path).toBe(404);
      expect(span?.attributes['http.route'], path).toBeUndefined();
      expect(span?.name, path).toBe(method);
    }
  });

  it('names routes of mounted sub-apps, app.route() and path lists', async () => {
    expect((await served('/admin/users/3')).span?.attributes['http.route']).toBe(
      '/admin/users/:id',
    );
    expect((await served('/items')).span?.attributes['http.route']).toBe('/items');
    expect((await served('/two')).span?.attributes['http.route']).toBe('/one,/two');
  });

  it('writes a RegExp route as a regex literal, and names no route for a request none matched', async () => {
    expect((await served('/files/a.txt')).span?.attributes['http.route']).toBe(
      '/^\\/files\\/.*\\.txt$/',
    );
    const { status, span } = await served('/v1/nowhere');
    expect(status).toBe(404);
    expect(span?.name).toBe('GET');
    expect(span?.attributes['http.route']).toBeUndefined();
  });
});

describe('joinedRoute', () => {
  it('adds a pattern to where the request is mounted, with one slash between', () => {
    expect(joinedRoute(undefined, '/users')).toBe('/users');
    expect(joinedRoute('/api', '/users')).toBe('/api/users');
    expect(joinedRoute('/api/', '/users')).toBe('/api/users');
    expect(joinedRoute('/api', '/')).toBe('/api');
  });
});

/** The parts of express's Router and Layer the patch uses, as the installed express has them. */
interface RouterShape {
  stack: ({ route?: { path?: unknown } } & object)[];
  get(path: string, handler: () => void): unknown;
  use(path: string, handler: () => void): unknown;
}

describe('what the express patch relies on upstream', () => {
  it('is installed within the ranges it was written against', () => {
    expectInstalledWithinRange('express-routes');
  });

  it("finds Router#route and #use, the router's stack, and the Layer method a router calls", () => {
    const express = createRequire(import.meta.url)('express') as {
      Router: { prototype: Record<string, unknown> } & (() => RouterShape);
    };
    expect([typeof express.Router.prototype.route, typeof express.Router.prototype.use]).toEqual([
      'function',
      'function',
    ]);
    const router = express.Router();
    router.get('/items/:id', () => undefined);
    router.use('/mounted', () => undefined);
    const [route, mount] = router.stack.slice(-2);
    expect(route?.route?.path).toBe('/items/:id');
    for (const layer of [route, mount]) {
      const prototype = Object.getPrototypeOf(layer) as Record<string, unknown>;
      expect(typeof prototype.handleRequest).toBe('function');
    }
  });
});
