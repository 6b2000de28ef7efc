import type { DaemonSpec } from './daemon.ts';
import type { PortUse } from './ports.ts';
import type { StackEndpoints, StackSettings } from './settings.ts';

/** One server of the local stack: how to obtain it, start it and tell that it is healthy. */
export interface StackServer {
  readonly name: string;
  /** Seconds to wait for it to become healthy after start. */
  readonly startTimeoutSeconds: number;
  ports(settings: StackSettings): readonly PortUse[];
  /** Folders of what it stores (telemetry, alert state): what `stack:down -- --wipe` deletes. */
  dataDirs(settings: StackSettings): readonly string[];
  /** Downloads or builds it into the cache, once; fast when already there. */
  obtain(settings: StackSettings): Promise<void>;
  /** Work before each start that cannot be synchronous (users, certificates). */
  prepare?(settings: StackSettings): Promise<void>;
  /** Renders whatever config it needs and says how to start it. */
  daemon(settings: StackSettings): DaemonSpec;
  healthy(endpoints: StackEndpoints, settings: StackSettings): Promise<boolean>;
  /** Where a person looks at it, printed after start-up. */
  describe(endpoints: StackEndpoints, settings: StackSettings): string;
}
