import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { DemoSupervisor, releaseEnv, type DemoProcess } from '../../demo/supervisor.ts';

describe('releaseEnv', () => {
  it("sets service.version among the demo's own resource attributes, replacing one there", () => {
    expect(releaseEnv({ version: '1.5.0' })).toEqual({
      OTEL_RESOURCE_ATTRIBUTES: 'service.version=1.5.0',
    });
    expect(
      releaseEnv(
        { version: '1.5.0', errorRate: 0.3, latencyMs: 200, route: '/checkout/:sku' },
        'deployment.environment=demo,service.version=1.4.0',
      ),
    ).toEqual({
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment=demo,service.version=1.5.0',
      DEMO_ERROR_RATE: '0.3',
      DEMO_LATENCY_MS: '200',
      DEMO_FAULT_ROUTE: '/checkout/:sku',
    });
  });
});

describe('DemoSupervisor', () => {
  const started: ChildProcess[] = [];
  afterEach(() => {
    for (const child of started) child.kill('SIGKILL');
  });

  /**
   * A real process that prints its version when it starts; its start, its output and its exit
   * (by SIGTERM) are recorded in order.
   */
  function recorded(events: string[]): DemoProcess {
    const script = [
      'const v = /service\\.version=([^,]*)/.exec(process.env.OTEL_RESOURCE_ATTRIBUTES)[1];',
      "console.log('up ' + v);",
      'setInterval(() => {}, 1000);',
    ].join('\n');
    return {
      launch: (env) => {
        events.push(`launch ${env.OTEL_RESOURCE_ATTRIBUTES ?? ''}`);
        const child = spawn(process.execPath, ['-e', script], {
          env: { ...process.env, ...env },
          stdio: ['ignore', 'pipe', 'inherit'],
        });
        child.stdout.on('data', (chunk: Buffer) => {
          events.push(...chunk.toString().trim().split('\n'));
        });
        child.once('exit', (code, signal) => {
          events.push(`exit ${signal ?? String(code)}`);
        });
        started.push(child);
        return child;
      },
      ready: async (child) => {
        await once(child.stdout ?? child, 'data');
      },
      routes: ['/checkout/:sku'],
    };
  }

  it('stops the running version before starting the next, and answers once it is up', async () => {
    const events: string[] = [];
    const supervisor = new DemoSupervisor({ shop: recorded(events) });
    await supervisor.deploy('shop', { version: '1.4.0' });
    // Two deploys asked at once run one after the other.
    await Promise.all([
      supervisor.deploy('shop', { version: '1.5.0', errorRate: 0.3 }),
      supervisor.deploy('shop', { version: '1.5.1' }),
    ]);
    expect(events).toEqual([
      'launch service.version=1.4.0',
      'up 1.4.0',
      'exit SIGTERM',
      'launch service.version=1.5.0',
      'up 1.5.0',
      'exit SIGTERM',
      'launch service.version=1.5.1',
      'up 1.5.1',
    ]);
    expect(supervisor.releases()).toEqual({ shop: { version: '1.5.1' } });
  });

  it('names what is wrong with a release it cannot ship, and ships nothing', async () => {
    const events: string[] = [];
    const supervisor = new DemoSupervisor({ shop: recorded(events) });
    expect(supervisor.problem('cart', { version: '1' })).toBe('service must be one of shop');
    expect(supervisor.problem('shop', { version: '1', route: '/nope' })).toBe(
      'route must be one of /checkout/:sku',
    );
    await expect(supervisor.deploy('shop', { version: '1', route: '/nope' })).rejects.toThrow(
      'route must be one of /checkout/:sku',
    );
    expect(events).toEqual([]);
  });
});
