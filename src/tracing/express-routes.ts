import { context } from '@opentelemetry/api';
import { getRPCMetadata, RPCType } from '@opentelemetry/core';
import {
  InstrumentationBase,
  InstrumentationNodeModuleDefinition,
  isWrapped,
  type InstrumentationConfig,
} from '@opentelemetry/instrumentation';
import type { IncomingMessage, ServerResponse } from 'node:http';

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

/** Runs `before` each time the router hands this layer a request, then the layer itself. */
function onRequest(
  layer: Layer,
  before: (this: Layer, req: Request, res: ServerResponse, next: Next, handles: Handles) => unknown,
): void {
  const key = typeof layer.handleRequest === 'function' ? 'handleRequest' : 'handle_request';
  const handles = layer[key];
  if (typeof handles !== 'function') return;
  layer[key] = function (this: Layer, req, res, next) {
    return before.call(this, req, res, next, handles);
  };
}

/** A route layer names the server span's route when a request reaches it. */
function namesRoute(layer: Layer, pattern: string): void {
  onRequest(layer, function (this: Layer, req, res, next, handles) {
    const metadata = getRPCMetadata(context.active());
    if (metadata?.type === RPCType.HTTP) metadata.route = joinedRoute(req[mountedAt], pattern);
    return handles.call(this, req, res, next);
  });
}

/** A layer mounted at a path adds it to the route while the request is inside. */
function addsMount(layer: Layer, pattern: string): void {
  onRequest(layer, function (this: Layer, req, res, next, handles) {
    const outside = req[mountedAt];
    req[mountedAt] = joinedRoute(outside, pattern);
    return handles.call(this, req, res, (error?: unknown) => {
      req[mountedAt] = outside;
      next(error);
    });
  });
}

/**
 * Names the server span's route (`http.route`, and the span name `GET /users/:id`) for express 4
 * and 5 apps, in place of OpenTelemetry's express instrumentation when express layers record no
 * span (LANTERN_EXPRESS_LAYERS=none, the default). Like it, it patches `Router#route` and
 * `Router#use` when a layer is registered, since only then is the pattern known; unlike it, a
 * request pays only at the route that matches (one context lookup and a string join) and at
 * each router mounted under a path, not at every middleware: the stock instrumentation stores
 * each layer's path on the request and rebuilds the route at every layer. The route reaches the
 * span through the RPC metadata {@link HttpServerSpans} puts in the request's context. Written
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
        ['>=4.0.0 <6'],
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
