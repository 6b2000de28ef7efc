import { createServer } from 'node:net';
import { StackError } from './errors.ts';

/** A port a server of the stack listens on, and the variable that configures it. */
export interface PortUse {
  readonly port: number;
  readonly variable: string;
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => {
      server.close(() => {
        resolve(true);
      });
    });
  });
}

/** Fails, naming port, server and variable, when another process holds one of the ports. */
export async function assertPortsFree(server: string, ports: readonly PortUse[]): Promise<void> {
  for (const { port, variable } of ports) {
    if (!(await canListen(port))) {
      throw new StackError(
        `port ${port} (${server}) is already in use by another process; stop it or set ${variable}`,
      );
    }
  }
}

/** GET a URL on loopback with a short timeout; true for a 2xx answer. */
export async function answers(url: string, timeoutMs = 2000): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  await response.body?.cancel();
  return response.ok;
}
