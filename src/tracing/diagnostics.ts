/**
 * The bootstrap's one logger. It writes to stderr, once per distinct message, so a broken
 * setting or an unreachable Collector is visible without flooding the host's output.
 */
const said = new Set<string>();

/** `key` groups messages that differ only in detail (e.g. the error of each failed export). */
export function warnOnce(message: string, key: string = message): void {
  if (said.has(key)) return;
  said.add(key);
  process.stderr.write(`[lantern] ${message}\n`);
}
