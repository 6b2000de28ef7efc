/**
 * The bootstrap's one logger: every line Lantern says goes to stderr through `write`, prefixed
 * `[lantern]`, so the host's output carries no second voice. OpenTelemetry's `diag` stays the
 * SDK's (silent unless OTEL_LOG_LEVEL is set), while a broken setting or an unreachable
 * Collector must always be visible.
 */
function write(message: string): void {
  process.stderr.write(`[lantern] ${message}\n`);
}

/** Says `message` every time: for state changes that are rare by construction (an outage, its end). */
export function warn(message: string): void {
  write(message);
}

const said = new Set<string>();

/**
 * Says `message` once for the life of the process. `key` groups messages that differ only in
 * detail, so a recurring fault does not flood the host's output.
 */
export function warnOnce(message: string, key: string = message): void {
  if (said.has(key)) return;
  said.add(key);
  write(message);
}
