import { context, createContextKey, ROOT_CONTEXT, type Context } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { LanternContextManager } from '../../../src/tracing/patches/context-manager.ts';
import { expectInstalledWithinRange } from './installed.ts';

const request = createContextKey('request');
const contextOf = (name: string): Context => ROOT_CONTEXT.setValue(request, name);

describe('LanternContextManager', () => {
  const manager = new LanternContextManager();
  /** The `request` value active inside each call of a listener. */
  const seenBy = (emitter: EventEmitter, event: string): unknown[] => {
    const seen: unknown[] = [];
    emitter.on(event, () => seen.push(manager.active().getValue(request)));
    return seen;
  };

  it('runs the listeners of a bound emitter in its context, wherever it emits from', () => {
    const emitter = new EventEmitter();
    const before = seenBy(emitter, 'data');
    manager.bind(contextOf('first'), emitter);
    const after = seenBy(emitter, 'data');
    emitter.emit('data');
    manager.with(contextOf('elsewhere'), () => emitter.emit('data'));
    manager.with(contextOf('first'), () => emitter.emit('data'));
    expect(before).toEqual(['first', 'first', 'first']);
    expect(after).toEqual(['first', 'first', 'first']);
    expect(manager.active()).toBe(ROOT_CONTEXT);
  });

  it('keeps the first binding of an emitter', () => {
    const emitter = new EventEmitter();
    manager.bind(contextOf('first'), emitter);
    manager.bind(contextOf('second'), emitter);
    const seen = seenBy(emitter, 'end');
    emitter.emit('end');
    expect(seen).toEqual(['first']);
  });

  it('leaves the emitter working as before: arguments, results, once, removeListener', () => {
    const emitter = manager.bind(contextOf('first'), new EventEmitter());
    const received: unknown[] = [];
    const listener = (...args: unknown[]) => received.push(args);
    emitter.on('data', listener);
    emitter.once('end', () => received.push('ended'));
    expect(emitter.emit('data', 1, 'two')).toBe(true);
    emitter.removeListener('data', listener);
    expect(emitter.emit('data', 3)).toBe(false);
    emitter.emit('end');
    emitter.emit('end');
    expect(received).toEqual([[1, 'two'], 'ended']);
    expect(() => emitter.emit('error', new Error('raised by emit'))).toThrow('raised by emit');
  });

  it('binds functions to a context as the stock manager does', () => {
    const bound = manager.bind(contextOf('first'), (a: number, b: number) => [
      manager.active().getValue(request),
      a + b,
    ]);
    expect(bound.length).toBe(2);
    expect(manager.with(contextOf('elsewhere'), () => bound(1, 2))).toEqual(['first', 3]);
  });
});

describe('what the context manager patch relies on upstream', () => {
  it('is installed within the range it was written against', () => {
    expectInstalledWithinRange('context-manager');
  });

  it("finds the stock manager's bind, with and active", () => {
    const stock = AsyncLocalStorageContextManager.prototype;
    expect([typeof stock.bind, typeof stock.with, typeof stock.active]).toEqual([
      'function',
      'function',
      'function',
    ]);
  });

  it("is the manager an emitter reaches through the API's context.bind", () => {
    const manager = new LanternContextManager();
    const bind = vi.spyOn(manager, 'bind');
    context.setGlobalContextManager(manager);
    try {
      const [bound, emitter] = [contextOf('first'), new EventEmitter()];
      context.bind(bound, emitter);
      expect(bind.mock.calls).toEqual([[bound, emitter]]);
      expect(bind.mock.calls[0]?.[0]).toBe(bound);
    } finally {
      context.disable();
    }
  });
});
