/** Progress lines of the stack manager: the one place it writes to the terminal. */
export function step(server: string, message: string): void {
  console.log(`[lantern] ${server.padEnd(20)} ${message}`);
}

export function warn(message: string): void {
  console.warn(`[lantern] warning: ${message}`);
}
