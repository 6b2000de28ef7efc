/**
 * The bootstrap's one logger. It writes to stderr, once per distinct message, so a broken
 * setting or an unreachable Collector is visible without flooding the host's output.
 */
const said = new Set<string>();

export function warnOnce(message: string): void {
  if (said.has(message)) return;
  said.add(message);
  process.stderr.write(`[lantern] ${message}\n`);
}
