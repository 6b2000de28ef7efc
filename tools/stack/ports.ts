import { get as httpsGet } from 'node:https';
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

/** Trust and credentials for a server of the secured stack. */
export interface TlsLogin {
  readonly ca: string;
  readonly username: string;
  readonly password: string;
}

/** GET a URL on loopback with a short timeout; true for a 2xx answer. */
export async function answers(url: string, login?: TlsLogin, timeoutMs = 2000): Promise<boolean> {
  if (login === undefined) {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.body?.cancel();
    return response.ok;
  }
  // fetch cannot be given a CA per request; node:https can.
  return new Promise((resolve, reject) => {
    const request = httpsGet(
      url,
      { ca: login.ca, auth: `${login.username}:${login.password}`, timeout: timeoutMs },
      (response) => {
        response.resume();
        const status = response.statusCode ?? 0;
        resolve(status >= 200 && status < 300);
      },
    );
    request.on('timeout', () => request.destroy(new Error(`no answer from ${url}`)));
    request.on('error', reject);
  });
}
