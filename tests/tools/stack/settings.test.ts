import { describe, expect, it } from 'vitest';
import { StackError } from '../../../tools/stack/errors.ts';
import { endpoints, loadStackSettings } from '../../../tools/stack/settings.ts';

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
        LANTERN_JAEGER_STORAGE: 'cassandra',
      });
    expect(attempt).toThrow(StackError);
    expect(attempt).toThrow(/LANTERN_ES_PORT=http/);
    expect(attempt).toThrow(/LANTERN_PROMETHEUS_PORT=70000/);
    expect(attempt).toThrow(/LANTERN_ES_HEAP=lots/);
    expect(attempt).toThrow(/LANTERN_JAEGER_STORAGE=cassandra.*badger or elasticsearch/);
  });

  it('refuses two servers on one port', () => {
    expect(() => loadStackSettings({ LANTERN_ALERTMANAGER_PORT: '9090' })).toThrow(
      /LANTERN_ALERTMANAGER_PORT and LANTERN_PROMETHEUS_PORT are both set to port 9090/,
    );
  });
});
