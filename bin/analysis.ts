/** `npm run analysis`: the log-analysis service (API, alert evaluation), until SIGTERM. */
import { logger, startAnalysisService } from '../src/service/analysis-service.ts';

try {
  await startAnalysisService();
} catch (error) {
  logger.fatal((error as Error).message);
  process.exitCode = 1;
}
