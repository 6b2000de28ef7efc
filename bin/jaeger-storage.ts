/** `npm run jaeger-storage`: Jaeger's trace storage, served from Lantern's spans, until SIGTERM. */
import { logger, startJaegerStorage } from '../src/service/jaeger-storage-service.ts';

try {
  await startJaegerStorage();
} catch (error) {
  logger.fatal((error as Error).message);
  process.exitCode = 1;
}
