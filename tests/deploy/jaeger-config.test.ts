import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { beforeAll, describe, expect, it } from 'vitest';
import {
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
      JAEGER_STORAGE_CA_FILE: jaegerConfigPath,
      JAEGER_STORAGE_TOKEN: 'a-token-of-twenty-chars',
    };
    expect(validate([jaegerConfigPath, secureJaegerConfigPath], files)).toBe('valid');
    // Without a key, every TLS server of the overlay is refused: the overlay really applies.
    const withoutKey = { ...files, JAEGER_TLS_KEY_FILE: '' };
    const refused = validate([jaegerConfigPath, secureJaegerConfigPath], withoutKey);
    expect(refused).toMatch(/jaeger_query::queryoptions::http::tls/);
    expect(refused).toMatch(/jaeger_query::queryoptions::grpc::tls/);
  });

  it("stores nothing itself: its trace storage is Lantern's, over gRPC", () => {
    const spec = jaeger.daemon(loadStackSettings());
    expect(jaeger.dataDirs(loadStackSettings())).toEqual([]);
    expect(spec.env?.JAEGER_STORAGE_ENDPOINT).toBe(
      `localhost:${String(loadStackSettings().LANTERN_JAEGER_STORAGE_PORT)}`,
    );
    // Its only pipeline receives nothing and writes nothing.
    const config = parse(readFileSync(jaegerConfigPath, 'utf8')) as {
      service: { pipelines: Record<string, { receivers: string[]; exporters: string[] }> };
      extensions: { jaeger_storage: { backends: Record<string, Record<string, unknown>> } };
    };
    expect(Object.values(config.service.pipelines)).toEqual([
      { receivers: ['nop'], exporters: ['nop'] },
    ]);
    const backends = Object.values(config.extensions.jaeger_storage.backends);
    expect(backends.map((backend) => Object.keys(backend))).toEqual([['grpc']]);
  });
});
