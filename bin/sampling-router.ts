/**
 * The scaled profile's sampling router (tools/stack/sampling-router.ts), until SIGTERM. Started
 * by the stack with the profile's settings in its environment (settingsEnv).
 */
import { routeSamplers } from '../tools/stack/sampling-router.ts';
import { loadStackSettings } from '../tools/stack/settings.ts';

await routeSamplers(loadStackSettings(process.env), (line) => {
  console.log(`${new Date().toISOString()} ${line}`);
});
