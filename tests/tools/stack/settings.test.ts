import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { StackError } from '../../../tools/stack/errors.ts';
import { repoRoot } from '../../../tools/stack/paths.ts';
import { scaleProfileEnv } from '../../../tools/stack/scale-profile.ts';
import { endpoints, loadStackSettings, settingsEnv } from '../../../tools/stack/settings.ts';

describe('stack settings', () => {
  it('defaults to the documented ports on loopback', () => {
    const e = endpoints(loadStackSettings({}));
    expect(e.elasticsearch).toBe('http://127.0.0.1:9200');
    expect(e.otlpHttp).toBe('http://127.0.0.1:4318');
    expect(e.jaeger).toBe('http://127.0.0.1:16686');
    expect(e.prometheus).toBe('http://127.0.0.1:9090');
    expect(e.alertmanager).toBe('http://127.0.0.1:9093');
  });

  it('takes ports from LANTERN_* variables', () => {
    expect(loadStackSettings({ LANTERN_ES_PORT: '19200' }).LANTERN_ES_PORT).toBe(19200);
  });

  it('reports every invalid variable at once, by name and value', () => {
    const attempt = () =>
      loadStackSettings({
        LANTERN_ES_PORT: 'http',
        LANTERN_PROMETHEUS_PORT: '70000',
        LANTERN_ES_HEAP: 'lots',
        LANTERN_SCALE: 'maybe',
      });
    expect(attempt).toThrow(StackError);
    expect(attempt).toThrow(/LANTERN_ES_PORT=http/);
    expect(attempt).toThrow(/LANTERN_PROMETHEUS_PORT=70000/);
    expect(attempt).toThrow(/LANTERN_ES_HEAP=lots/);
    expect(attempt).toThrow(/LANTERN_SCALE=maybe.*must be 1 or 0/);
  });

  it('refuses two servers on one port', () => {
    expect(() => loadStackSettings({ LANTERN_ALERTMANAGER_PORT: '9090' })).toThrow(
      /LANTERN_ALERTMANAGER_PORT and LANTERN_PROMETHEUS_PORT are both set to port 9090/,
    );
  });

  it('reads the state folder and the cache from the environment it is given, not this process’s', () => {
    const own = loadStackSettings({ LANTERN_STATE_DIR: '/tmp/a', LANTERN_CACHE_DIR: '/tmp/c' });
    expect(own.paths).toMatchObject({
      stateDir: '/tmp/a',
      runDir: '/tmp/a/run',
      logDir: '/tmp/a/logs',
      cacheDir: '/tmp/c',
    });
    expect(loadStackSettings({}).paths.stateDir).toBe(join(repoRoot, '.lantern'));
    expect(loadStackSettings({ XDG_CACHE_HOME: '/tmp/x' }).paths.cacheDir).toMatch(
      process.getuid?.() === 0 ? '/var/cache/lantern' : '/tmp/x/lantern',
    );
  });

  it('hands a child process the same settings through settingsEnv', () => {
    for (const env of [
      {},
      scaleProfileEnv({}),
      { LANTERN_SECURE: '1', LANTERN_COLLECTOR_CONFIG: 'mine.yaml', LANTERN_ES_HEAP: '2g' },
      { LANTERN_STATE_DIR: '/tmp/a', LANTERN_JAEGER_STORAGE_PORT: '27271' },
    ]) {
      const settings = loadStackSettings(env);
      expect(loadStackSettings(settingsEnv(settings))).toEqual(settings);
    }
  });
});
