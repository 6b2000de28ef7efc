import { createServer, type Server } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { assertPortsFree } from '../../../tools/stack/ports.ts';

let server: Server | undefined;
afterEach(() => server?.close());

function listen(): Promise<number> {
  return new Promise((resolve) => {
    server = createServer().listen(0, '127.0.0.1', () => {
      const address = server?.address();
      resolve(typeof address === 'object' && address ? address.port : 0);
    });
  });
}

describe('port checks', () => {
  it('names the port, the server and the variable when the port is taken', async () => {
    const port = await listen();
    await expect(
      assertPortsFree('elasticsearch', [{ port, variable: 'LANTERN_ES_PORT' }]),
    ).rejects.toThrow(
      `port ${port} (elasticsearch) is already in use by another process; stop it or set LANTERN_ES_PORT`,
    );
  });

  it('passes for a free port', async () => {
    const port = await listen();
    server?.close();
    await new Promise((resolve) => setTimeout(resolve, 50));
    await expect(assertPortsFree('x', [{ port, variable: 'X' }])).resolves.toBeUndefined();
  });
});
