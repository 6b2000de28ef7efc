/**
 * Patch of @opentelemetry/context-async-hooks >=3.0.0 <4.0.0 (range in ./upstream.ts): overrides
 * `bind` of its AsyncLocalStorageContextManager. Relies on: `bind(context, target)` being how
 * instrumentations (the http instrumentation among them) bind event emitters to a context, and
 * on the manager's `with(context, fn, thisArg, ...args)` and `active()`.
 */
import type { Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { EventEmitter } from 'node:events';

const boundContext = Symbol('lantern.boundContext');

type BoundEmitter = EventEmitter & { [boundContext]?: Context };

/**
 * OpenTelemetry's AsyncLocalStorage context manager, binding event emitters more cheaply.
 * The http instrumentation binds every request and response to its span's context, so that
 * listeners the app adds later (a body parser's 'data' and 'end') run in it. The stock manager
 * replaces eight listener methods on each emitter and wraps every listener added afterwards
 * (a closure, a WeakMap per event name, a redefined `length`): per request, two emitters.
 * This one wraps the emitter's `emit` once, so every listener runs in the bound context, and
 * only when it is not the active one already. As with the stock manager the first binding of
 * an emitter wins; functions are bound as before.
 */
export class LanternContextManager extends AsyncLocalStorageContextManager {
  override bind<T>(context: Context, target: T): T {
    if (target instanceof EventEmitter) return this.bindEmitter(context, target) as T;
    return super.bind(context, target);
  }

  private bindEmitter(context: Context, emitter: BoundEmitter): EventEmitter {
    if (emitter[boundContext] !== undefined) return emitter;
    emitter[boundContext] = context;
    const emit = emitter.emit.bind(emitter);
    emitter.emit = (...args: Parameters<typeof emit>): boolean =>
      this.active() === context ? emit(...args) : this.with(context, emit, undefined, ...args);
    return emitter;
  }
}
