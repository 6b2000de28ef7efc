import { existsSync } from 'node:fs';
import { hostname } from 'node:os';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { durationMs, secondsOrMore } from '../contracts/duration.ts';
import type { ElasticsearchSettings } from '../storage/client.ts';
import type { StorageSettings } from '../storage/maintenance/status.ts';
import { retentionDays, storageBudget } from './storage-settings.ts';

const optional = z.string().min(1).optional();

/** One Elasticsearch URL, or the nodes of one cluster separated by commas. */
const elasticsearchNodes = z
  .string()
  .refine(
    (value) =>
      value
        .split(',')
        .every((url) => z.url({ protocol: /^https?$/ }).safeParse(url.trim()).success),
    'must be an http(s) URL, or several separated by commas (nodes of one cluster)',
  );

/** config/rules.yaml beside src/ (or dist/) in a checkout and in the container image. */
const defaultRulesFile = fileURLToPath(new URL('../../config/rules.yaml', import.meta.url));
/** config/notifications.yaml likewise: who is told of incidents, and escalation. */
export const defaultNotificationsFile = fileURLToPath(
  new URL('../../config/notifications.yaml', import.meta.url),
);

const fields = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  LANTERN_API_HOST: z.string().default('127.0.0.1'),
  LANTERN_ES_URL: elasticsearchNodes.default('http://127.0.0.1:9200'),
  LANTERN_ES_USERNAME: optional,
  LANTERN_ES_PASSWORD: optional,
  LANTERN_ES_API_KEY: optional,
  LANTERN_ES_CA_FILE: optional.refine(
    (path) => path === undefined || existsSync(path),
    'no such file',
  ),
  LANTERN_RULES_FILE: z.string().default(defaultRulesFile),
  LANTERN_NOTIFICATIONS_FILE: z.string().default(defaultNotificationsFile),
  // Shorter would hammer Elasticsearch; 0 would evaluate in a busy loop.
  LANTERN_EVAL_INTERVAL: secondsOrMore.default(5_000),
  LANTERN_QUERY_OFFSET: durationMs.default(10_000),
  // Replicas sharing one Elasticsearch: only the holder of the lease evaluates and notifies.
  LANTERN_REPLICA_ID: z
    .string()
    .regex(/^[\w.:@-]{1,200}$/, 'letters, digits and . : @ - _ only (at most 200)')
    .optional(),
  LANTERN_ALERT_LEASE: secondsOrMore.default(15_000),
  LANTERN_ALERTMANAGER_URL: z.url({ protocol: /^https?$/ }).optional(),
  LANTERN_PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  // Shown as component health in the console (GET /api/v1/health) when set.
  LANTERN_COLLECTOR_HEALTH_URL: z.url({ protocol: /^https?$/ }).optional(),
  LANTERN_JAEGER_URL: z.url({ protocol: /^https?$/ }).optional(),
  // Where people open the Jaeger UI (compose has one); the console links each trace there.
  LANTERN_JAEGER_UI_URL: z.url({ protocol: /^https?$/ }).optional(),
  LANTERN_API_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Days of data kept (docs/storage.md); Lantern deletes the daily indices past them.
  LANTERN_RETENTION_LOGS: retentionDays.default(7),
  LANTERN_RETENTION_SPANS: retentionDays.default(7),
  LANTERN_RETENTION_ALERTS: retentionDays.default(90),
  // What Lantern's indices may take: bytes (20gb) or a share of Elasticsearch's disk.
  LANTERN_STORAGE_BUDGET: storageBudget.default({ diskShare: 0.5, text: '50%' }),
  LANTERN_STORAGE_INTERVAL: secondsOrMore.default(30_000),
});

// The holder renews on every evaluation tick: a lease shorter than two ticks would lapse between.
const schema = fields.refine((c) => c.LANTERN_ALERT_LEASE >= 2 * c.LANTERN_EVAL_INTERVAL, {
  path: ['LANTERN_ALERT_LEASE'],
  message:
    'must be at least twice LANTERN_EVAL_INTERVAL (the holder renews it on every evaluation)',
});

export type ServiceConfig = Readonly<z.infer<typeof schema>> & {
  readonly publicUrl: string;
  /** LANTERN_REPLICA_ID, or host:port (host:pid when the port is chosen by the system). */
  readonly replicaId: string;
};

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
    // Stable across a restart on the same host and port, so a restarted replica takes its own
    // lease back at once; two live replicas cannot share a host and port.
    replicaId:
      config.LANTERN_REPLICA_ID ??
      `${hostname()}:${config.PORT === 0 ? `pid${process.pid}` : config.PORT}`,
  });
}

/** How the service's settings reach Elasticsearch (the analysis service, `npm run es:templates`). */
export function elasticsearchSettings(
  config: Pick<
    ServiceConfig,
    | 'LANTERN_ES_URL'
    | 'LANTERN_ES_USERNAME'
    | 'LANTERN_ES_PASSWORD'
    | 'LANTERN_ES_API_KEY'
    | 'LANTERN_ES_CA_FILE'
  >,
): ElasticsearchSettings {
  return {
    url: config.LANTERN_ES_URL,
    username: config.LANTERN_ES_USERNAME,
    password: config.LANTERN_ES_PASSWORD,
    apiKey: config.LANTERN_ES_API_KEY,
    caFile: config.LANTERN_ES_CA_FILE,
  };
}

/** Retention and the disk budget, as GET /api/v1/storage shows them. */
export function storageSettings(config: ServiceConfig): StorageSettings {
  return {
    retention: {
      logs: config.LANTERN_RETENTION_LOGS,
      spans: config.LANTERN_RETENTION_SPANS,
      alertHistory: config.LANTERN_RETENTION_ALERTS,
    },
    budget: config.LANTERN_STORAGE_BUDGET,
  };
}

/** A URL as it may be logged: any `user:password@` in it replaced. */
const withoutCredentials = (url: string | undefined): string | undefined =>
  url
    ?.split(',')
    .map((one) => one.replace(/^(\s*[a-z]+:\/\/)[^@/]*@/i, '$1[REDACTED]@'))
    .join(',');

/**
 * The settings as they are logged at start-up: an allowlist, so a setting added later is not
 * printed until someone decides it may be. Secrets show only whether they are set; URLs lose
 * any credentials they carry (`https://user:pass@host`).
 */
export function loggable(config: ServiceConfig): Record<string, unknown> {
  const isSet = (value: string | undefined): string => (value === undefined ? 'unset' : 'set');
  return {
    PORT: config.PORT,
    LANTERN_API_HOST: config.LANTERN_API_HOST,
    LANTERN_ES_URL: withoutCredentials(config.LANTERN_ES_URL),
    LANTERN_ES_USERNAME: isSet(config.LANTERN_ES_USERNAME),
    LANTERN_ES_PASSWORD: isSet(config.LANTERN_ES_PASSWORD),
    LANTERN_ES_API_KEY: isSet(config.LANTERN_ES_API_KEY),
    LANTERN_ES_CA_FILE: config.LANTERN_ES_CA_FILE,
    LANTERN_RULES_FILE: config.LANTERN_RULES_FILE,
    LANTERN_NOTIFICATIONS_FILE: config.LANTERN_NOTIFICATIONS_FILE,
    LANTERN_EVAL_INTERVAL: config.LANTERN_EVAL_INTERVAL,
    LANTERN_QUERY_OFFSET: config.LANTERN_QUERY_OFFSET,
    LANTERN_REPLICA_ID: config.replicaId,
    LANTERN_ALERT_LEASE: config.LANTERN_ALERT_LEASE,
    LANTERN_ALERTMANAGER_URL: withoutCredentials(config.LANTERN_ALERTMANAGER_URL),
    LANTERN_PUBLIC_URL: withoutCredentials(config.publicUrl),
    LANTERN_COLLECTOR_HEALTH_URL: withoutCredentials(config.LANTERN_COLLECTOR_HEALTH_URL),
    LANTERN_JAEGER_URL: withoutCredentials(config.LANTERN_JAEGER_URL),
    LANTERN_JAEGER_UI_URL: withoutCredentials(config.LANTERN_JAEGER_UI_URL),
    LANTERN_API_TOKEN: isSet(config.LANTERN_API_TOKEN),
    LANTERN_RETENTION_LOGS: config.LANTERN_RETENTION_LOGS,
    LANTERN_RETENTION_SPANS: config.LANTERN_RETENTION_SPANS,
    LANTERN_RETENTION_ALERTS: config.LANTERN_RETENTION_ALERTS,
    LANTERN_STORAGE_BUDGET: config.LANTERN_STORAGE_BUDGET.text,
    LANTERN_STORAGE_INTERVAL: config.LANTERN_STORAGE_INTERVAL,
  };
}

/** host:port, the form a gRPC server binds to. */
const listenAddress = z
  .string()
  .regex(/^[^\s:]+:\d{1,5}$/, 'must be host:port, e.g. 127.0.0.1:17271');
const existingFile = z.string().refine((path) => existsSync(path), 'no such file');

/**
 * The settings of Lantern's Jaeger storage (`bin/jaeger-storage.ts`): where it listens, how it
 * reaches Elasticsearch (as the analysis service does), and in secured mode its TLS certificate
 * and the token Jaeger presents. A certificate without its key, or the reverse, is refused.
 */
const jaegerStorageSchema = fields
  .pick({
    LANTERN_ES_URL: true,
    LANTERN_ES_USERNAME: true,
    LANTERN_ES_PASSWORD: true,
    LANTERN_ES_API_KEY: true,
    LANTERN_ES_CA_FILE: true,
  })
  .extend({
    LANTERN_JAEGER_STORAGE_ENDPOINT: listenAddress.default('127.0.0.1:17271'),
    LANTERN_JAEGER_STORAGE_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
    LANTERN_JAEGER_STORAGE_TLS_CERT_FILE: existingFile.optional(),
    LANTERN_JAEGER_STORAGE_TLS_KEY_FILE: existingFile.optional(),
  })
  .refine(
    (c) =>
      (c.LANTERN_JAEGER_STORAGE_TLS_CERT_FILE === undefined) ===
      (c.LANTERN_JAEGER_STORAGE_TLS_KEY_FILE === undefined),
    {
      path: ['LANTERN_JAEGER_STORAGE_TLS_KEY_FILE'],
      message: 'LANTERN_JAEGER_STORAGE_TLS_CERT_FILE and _KEY_FILE go together',
    },
  );

export type JaegerStorageConfig = Readonly<z.infer<typeof jaegerStorageSchema>>;

/** Parses the Jaeger storage's settings once; every problem is reported together, by name. */
export function loadJaegerStorageConfig(env: NodeJS.ProcessEnv = process.env): JaegerStorageConfig {
  const present = Object.fromEntries(Object.entries(env).filter(([, value]) => value !== ''));
  const result = jaegerStorageSchema.safeParse(present);
  if (!result.success) {
    const problems = result.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  return Object.freeze(result.data);
}
