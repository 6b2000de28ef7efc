import { ownStack } from './own-stack.ts';
import { faultStackEnv } from './test-stack.ts';

/** The fault tests' own stack (tests/support/test-stack.ts), up for the run, stopped after it. */
export default function setup(): Promise<() => Promise<void>> {
  return ownStack(faultStackEnv);
}
