import { execFileSync } from 'node:child_process';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  elasticsearchJaegerConfigPath,
  jaeger,
  jaegerBinary,
  jaegerConfigPath,
  secureJaegerConfigPath,
} from '../../tools/stack/jaeger.ts';
import { loadStackSettings } from '../../tools/stack/settings.ts';

/** Jaeger's own `validate`: the config as the binary the stack runs would load it. */
const validate = (configs: readonly string[], env: Record<string, string> = {}): string => {
  try {
    execFileSync(
      jaegerBinary(loadStackSettings().paths),
      ['validate', ...configs.flatMap((c) => ['--config', c])],
      {
        stdio: 'pipe',
        env: { ...process.env, ...env },
      },
    );
    return 'valid';
  } catch (error) {
    return String((error as { stderr?: Buffer }).stderr);
  }
};

describe('config/jaeger.yaml', () => {
  beforeAll(() => jaeger.obtain(loadStackSettings()), 900_000);

  it('is accepted by the Jaeger the stack runs', () => {
    expect(validate([jaegerConfigPath])).toBe('valid');
  });

  it('is accepted with the secured overlay merged over it, given its files', () => {
    const files = {
      JAEGER_TLS_CERT_FILE: jaegerConfigPath,
      JAEGER_TLS_KEY_FILE: jaegerConfigPath,
      JAEGER_QUERY_HTPASSWD_FILE: jaegerConfigPath,
      JAEGER_OTLP_HTPASSWD_FILE: jaegerConfigPath,
    };
    expect(validate([jaegerConfigPath, secureJaegerConfigPath], files)).toBe('valid');
    // Without a key, every TLS server of the overlay is refused: the overlay really applies.
    const withoutKey = { ...files, JAEGER_TLS_KEY_FILE: '' };
    const refused = validate([jaegerConfigPath, secureJaegerConfigPath], withoutKey);
    expect(refused).toMatch(/jaeger_query::queryoptions::http::tls/);
    expect(refused).toMatch(/receivers::otlp::protocols::grpc: tls/);
  });

  it('is accepted with the Elasticsearch overlay, which the stack adds only when asked', () => {
    expect(validate([jaegerConfigPath, elasticsearchJaegerConfigPath])).toBe('valid');
    const args = (env: Record<string, string>) => jaeger.daemon(loadStackSettings(env)).args;
    expect(args({ LANTERN_JAEGER_STORAGE: 'elasticsearch' })).toContain(
      elasticsearchJaegerConfigPath,
    );
    expect(args({})).not.toContain(elasticsearchJaegerConfigPath);
  });
});
