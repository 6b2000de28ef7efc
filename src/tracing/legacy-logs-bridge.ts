import { logs } from '@opentelemetry/api';
import { logs as legacyLogs } from '@opentelemetry/api-logs';

/**
 * The Logs API moved into @opentelemetry/api (1.10), but @opentelemetry/winston-transport,
 * which the winston instrumentation uses to send log records, still emits through the older
 * @opentelemetry/api-logs global. Registering the SDK's provider there too makes winston
 * records reach the Collector. Remove once winston-transport moves to @opentelemetry/api.
 */
export function bridgeLegacyLogsApi(): void {
  legacyLogs.setGlobalLoggerProvider(logs.getLoggerProvider());
}
