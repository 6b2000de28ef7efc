/** The scaled profile's sampling router (tools/stack/sampling-router.ts), until SIGTERM. */
import { routeSamplers } from '../tools/stack/sampling-router.ts';
import { loadStackSettings } from '../tools/stack/settings.ts';

await routeSamplers(loadStackSettings(), (line) => {
  console.log(`${new Date().toISOString()} ${line}`);
});
