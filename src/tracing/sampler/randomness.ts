/**
 * A uniform value in [0, 1) taken from the trace id's last 52 bits, which are random in W3C
 * trace ids. Every service computes the same value for a trace, so decisions that compare it
 * with the same probability agree across services.
 */
export function traceRandomness(traceId: string): number {
  return parseInt(traceId.slice(-13), 16) / 2 ** 52;
}
