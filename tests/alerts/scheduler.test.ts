import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { AlertScheduler, type EngineRole } from '../../src/alerts/scheduler.ts';
import type { AlertLease } from '../../src/storage/alert-lease.ts';

/** An evaluation that records calls and fails while `failure` holds a message. */
function evaluation() {
  const calls: string[] = [];
  const state = { failure: undefined as string | undefined };
  return {
    calls,
    state,
    evaluate: () => {
      calls.push('evaluate');
      return state.failure === undefined
        ? Promise.resolve()
        : Promise.reject(new Error(state.failure));
    },
    forget: () => {
      calls.push('forget');
    },
  };
}

/** A lease another replica holds until `free` is set. */
function lease() {
  const state = { free: false, released: 0 };
  const fake = {
    claim: () => Promise.resolve(state.free),
    get current() {
      return { holder: state.free ? 'me' : 'other', expiresAt: 0 };
    },
    release: () => {
      state.released += 1;
      return Promise.resolve();
    },
  };
  return { lease: fake as unknown as AlertLease, state };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('the alert scheduler', () => {
  it('evaluates at once and then every interval when it runs alone', async () => {
    const e = evaluation();
    const roles: EngineRole[] = [];
    const scheduler = new AlertScheduler(e, {
      intervalMs: 1000,
      warn: () => undefined,
      roleChanged: (role) => roles.push(role),
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(2500);
    await scheduler.stop();
    expect(e.calls).toEqual(['forget', 'evaluate', 'evaluate', 'evaluate']);
    expect(roles).toEqual(['evaluating']);
  });

  it('stands by while another replica holds the lease, and forgets its memory on taking over', async () => {
    const e = evaluation();
    const l = lease();
    const roles: [EngineRole, string | undefined][] = [];
    const scheduler = new AlertScheduler(e, {
      intervalMs: 1000,
      warn: () => undefined,
      lease: l.lease,
      roleChanged: (role, holder) => roles.push([role, holder]),
    });
    scheduler.start();
    await vi.advanceTimersByTimeAsync(1500);
    expect(e.calls).toEqual([]);
    l.state.free = true;
    await vi.advanceTimersByTimeAsync(1000);
    await scheduler.stop();
    expect(roles).toEqual([
      ['standby', 'other'],
      ['evaluating', 'me'],
    ]);
    expect(e.calls).toEqual(['forget', 'evaluate']);
    expect(l.state.released).toBe(1);
  });

  it('warns of a failure once until it changes, and says when it recovered', async () => {
    const e = evaluation();
    const warnings: string[] = [];
    const outcomes: string[] = [];
    const scheduler = new AlertScheduler(e, {
      intervalMs: 1000,
      warn: (message) => warnings.push(message),
      evaluated: (outcome) => outcomes.push(outcome),
    });
    e.state.failure = 'Elasticsearch down';
    scheduler.start();
    await vi.advanceTimersByTimeAsync(2500);
    e.state.failure = undefined;
    await vi.advanceTimersByTimeAsync(2000);
    await scheduler.stop();
    expect(warnings).toEqual([
      'alert evaluation failed: Elasticsearch down',
      'alert evaluation recovered',
    ]);
    expect(outcomes).toEqual(['failed', 'failed', 'failed', 'ok', 'ok']);
  });
});
