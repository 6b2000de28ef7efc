/**
 * Patch of express >=4.0.0 <6.0.0 and, under express 5, router >=2.0.0 <3.0.0 (ranges in
 * ./upstream.ts). Relies on: `Router#route` and `Router#use` adding their layers to the router's
 * `stack`; a route layer's `route.path`; and the method the router calls on a layer for each
 * request, `handleRequest` (router 2) or `handle_request` (express 4), found on its prototype.
 */
import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  isWrapped,
  type InstrumentationConfig,
} from '@opentelemetry/instrumentation';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { rangeOf, upstream } from './upstream.ts';

const NAME = 'lantern-express-routes';
const VERSION = '1.0.0';

/** Where the request entered the routers it is in, as patterns: `/users/:id/posts`. */
const mountedAt = Symbol('lantern.mountedAt');
type Request = IncomingMessage & { [mountedAt]?: string | undefined };
type Next = (error?: unknown) => void;
type Handles = (this: Layer, req: Request, res: ServerResponse, next: Next) => unknown;

/** An express 4 Layer (`handle_request`) or a `router` 2 Layer (`handleRequest`, express 5). */
interface Layer {
  route?: { path?: unknown };
  handleRequest?: Handles;
  handle_request?: Handles;
}
interface Router {
  stack: Layer[];
  route: (this: Router, ...args: unknown[]) => unknown;
  use: (this: Router, ...args: unknown[]) => unknown;
}
interface ExpressExports {
  Router: Router | { prototype: Router };
}

/** A path as express takes it (string, RegExp or an array of them), written as a pattern. */
function patternOf(path: unknown): string | undefined {
  if (typeof path === 'string') return path;
  if (path instanceof RegExp) return path.toString();
  if (Array.isArray(path)) return path.map((each) => patternOf(each) ?? '').join(',');
  return undefined;
}

/** The path `use` mounts at: its first argument unless that is a handler (or list of them). */
function mountPathOf(args: readonly unknown[]): unknown {
  let first = args[0];
  while (Array.isArray(first) && first.length > 0) first = first[0] as unknown;
  return typeof first === 'function' ? '/' : args[0];
}

/** `/api` + `/users/:id` → `/api/users/:id`; a router's own `/` adds nothing under a mount. */
export function joinedRoute(mount: string | undefined, pattern: string): string {
  if (!mount) return pattern;
  if (pattern === '/' || pattern === '') return mount;
  return mount.endsWith('/') && pattern.startsWith('/')
    ? mount + pattern.slice(1)
    : mount + pattern;
}

const watched = Symbol('lantern.routeWatched');

/**
 * Runs `before` each time the router hands this layer a request, then the layer's own method:
 * the prototype's as it is at that moment, so a patch applied to express's Layer after the
 * route was registered (express-async-errors and the like) still runs. A layer is watched once.
 */
function onRequest(
  layer: Layer & { [watched]?: true },
  before: (this: Layer, req: Request, res: ServerResponse, next: Next, handles: Handles) => unknown,
): void {
  const key = typeof layer.handleRequest === 'function' ? 'handleRequest' : 'handle_request';
  if (layer[watched] || typeof layer[key] !== 'function') return;
  layer[watched] = true;
  const own = Object.hasOwn(layer, key) ? layer[key] : undefined;
  layer[key] = function (this: Layer, req, res, next) {
    const handles = own ?? (Object.getPrototypeOf(this) as Layer)[key];
    return before.call(this, req, res, next, handles as Handles);
  };
}

/** Not a failure: the layer let the request go on (`next()`, `next('route')`, `next('router')`). */
const passedOn = (signal: unknown): boolean =>
  signal === undefined || signal === null || signal === 'route' || signal === 'router';

/**
 * A route layer names the server span's route when a request reaches it, and takes the name
 * back if the route lets the request go on, so a request that ends in a 404 has no route. On a
 * failure the name stays: the error handler's response belongs to this route.
 */
function namesRoute(layer: Layer, pattern: string): void {
  onRequest(layer, function (this: Layer, req, res, next, handles) {
    const metadata = getRPCMetadata(context.active());
    if (metadata?.type !== RPCType.HTTP) return handles.call(this, req, res, next);
    const before = metadata.route;
    metadata.route = joinedRoute(req[mountedAt], pattern);
    return handles.call(this, req, res, (signal?: unknown) => {
      if (passedOn(signal)) {
        if (before === undefined) delete metadata.route;
        else metadata.route = before;
      }
      next(signal);
    });
  });
}

/** A layer mounted at a path adds it to the route while the request is inside. */
function addsMount(layer: Layer, pattern: string): void {
  onRequest(layer, function (this: Layer, req, res, next, handles) {
    const outside = req[mountedAt];
    req[mountedAt] = joinedRoute(outside, pattern);
    return handles.call(this, req, res, (signal?: unknown) => {
      req[mountedAt] = outside;
      next(signal);
    });
  });
}

/**
 * Names the server span's route (`http.route`, and the span name `GET /users/:id`) for express 4
 * and 5 apps, in place of OpenTelemetry's express instrumentation when express layers record no
 * span (LANTERN_EXPRESS_LAYERS=none, the default). Like it, it patches `Router#route` and
 * `Router#use` when a layer is registered, since only then is the pattern known; unlike it, a
 * request pays only at the routes its path and method match (a context lookup, a string join
 * and a `next` that takes the name back) and at each layer used under a path other than `/`,
 * not at every middleware: the stock instrumentation stores each layer's path on the request
 * and rebuilds the route at every layer. Layers registered while it was enabled keep naming
 * routes after `disable()`, as with the stock instrumentation. The route reaches the
 * span through the RPC metadata http-server-spans.ts puts in the request's context. Written
 * by hand: no released package names the route without also wrapping every layer.
 */
export class ExpressRoutes extends InstrumentationBase {
  constructor(config: InstrumentationConfig = {}) {
    super(NAME, VERSION, config);
  }

  protected init(): InstrumentationNodeModuleDefinition[] {
    return [
      new InstrumentationNodeModuleDefinition(
        'express',
        [rangeOf(upstream.express)],
        (exports: ExpressExports) => {
          const router = routerOf(exports);
          for (const method of ['route', 'use'] as const)
            if (isWrapped(router[method])) this._unwrap(router, method);
          this._wrap(router, 'route', (route) =>
            patched(route, (layer, args) => {
              const pattern = patternOf(layer.route?.path ?? args[0]);
              if (pattern !== undefined) namesRoute(layer, pattern);
            }),
          );
          this._wrap(router, 'use', (use) =>
            patched(use, (layer, args) => {
              const pattern = patternOf(mountPathOf(args));
              if (pattern !== undefined && pattern !== '/') addsMount(layer, pattern);
            }),
          );
          return exports;
        },
        (exports?: ExpressExports) => {
          if (exports === undefined) return;
          const router = routerOf(exports);
          this._unwrap(router, 'route');
          this._unwrap(router, 'use');
        },
      ),
    ];
  }
}

/** Express 5's Router is a class (from `router`); express 4's is the prototype object itself. */
function routerOf(exports: ExpressExports): Router {
  const { Router } = exports;
  return 'prototype' in Router && typeof Router.prototype.route === 'function'
    ? Router.prototype
    : (Router as Router);
}

/** Wraps a registering method so that every layer it adds is handed to `added`. */
function patched<Method extends Router['route']>(
  register: Method,
  added: (layer: Layer, args: readonly unknown[]) => void,
): Method {
  return function (this: Router, ...args: unknown[]) {
    const before = this.stack.length;
    const result = register.apply(this, args);
    for (const layer of this.stack.slice(before)) added(layer, args);
    return result;
  } as Method;
}
