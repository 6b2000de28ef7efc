import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { durationMs, secondsOrMore } from '../contracts/duration.ts';
import type { ElasticsearchSettings } from '../storage/client.ts';

const optional = z.string().min(1).optional();

/** config/rules.yaml beside src/ (or dist/) in a checkout and in the container image. */
const defaultRulesFile = fileURLToPath(new URL('../../config/rules.yaml', import.meta.url));

const schema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LANTERN_API_HOST: z.string().default('127.0.0.1'),
  LANTERN_ES_URL: z.url({ protocol: /^https?$/ }).default('http://127.0.0.1:9200'),
  LANTERN_ES_USERNAME: optional,
  LANTERN_ES_PASSWORD: optional,
  LANTERN_ES_API_KEY: optional,
  LANTERN_ES_CA_FILE: optional.refine(
    (path) => path === undefined || existsSync(path),
    'no such file',
  ),
  LANTERN_RULES_FILE: z.string().default(defaultRulesFile),
  // Shorter would hammer Elasticsearch; 0 would evaluate in a busy loop.
  LANTERN_EVAL_INTERVAL: secondsOrMore.default(5_000),
  LANTERN_QUERY_OFFSET: durationMs.default(10_000),
  LANTERN_ALERTMANAGER_URL: z.url({ protocol: /^https?$/ }).optional(),
  LANTERN_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  LANTERN_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
});

export type ServiceConfig = Readonly<z.infer<typeof schema>> & { readonly publicUrl: string };

/** Parses the analysis service's settings once; every problem is reported together, by name. */
export function loadServiceConfig(env: NodeJS.ProcessEnv = process.env): ServiceConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = schema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const config = result.data;
  return Object.freeze({
    ...config,
    publicUrl: config.LANTERN_PUBLIC_URL ?? `http://127.0.0.1:${config.PORT}`,
  });
}

/** How the service's settings reach Elasticsearch (the analysis service, `npm run es:templates`). */
export function elasticsearchSettings(config: ServiceConfig): ElasticsearchSettings {
  return {
    url: config.LANTERN_ES_URL,
    username: config.LANTERN_ES_USERNAME,
    password: config.LANTERN_ES_PASSWORD,
    apiKey: config.LANTERN_ES_API_KEY,
    caFile: config.LANTERN_ES_CA_FILE,
  };
}

/** The settings safe to log: secrets shown as [REDACTED]. */
export function redacted(config: ServiceConfig): Record<string, unknown> {
  const secret = new Set(['LANTERN_ES_PASSWORD', 'LANTERN_ES_API_KEY', 'LANTERN_API_TOKEN']);
  return Object.fromEntries(
    Object.entries(config).map(([key, value]) => [
      key,
      secret.has(key) && value !== undefined ? '[REDACTED]' : value,
    ]),
  );
}
