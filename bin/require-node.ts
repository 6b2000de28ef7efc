/** First step of `npm run check`: fails with a clear message on a too-old Node.js. */
import { requireNode } from '../tools/stack/require-node.ts';

try {
  requireNode();
} catch (error) {
  process.stderr.write(`${(error as Error).message}\n`);
  process.exitCode = 1;
}
