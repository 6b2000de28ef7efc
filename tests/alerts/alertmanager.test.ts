import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSilences } from '../../src/alerts/alertmanager.ts';
import { httpTarget } from '../../src/contracts/http-target.ts';

describe('a server URL with credentials in it', () => {
  it('becomes a URL without them and a basic-auth header', () => {
    expect(httpTarget('https://lantern:s3cr%40t@127.0.0.1:9093/')).toEqual({
      url: 'https://127.0.0.1:9093',
      headers: { authorization: `Basic ${Buffer.from('lantern:s3cr@t').toString('base64')}` },
    });
  });

  it('leaves a URL without credentials as it is, with no header', () => {
    expect(httpTarget('http://127.0.0.1:16686/api/services')).toEqual({
      url: 'http://127.0.0.1:16686/api/services',
      headers: {},
    });
  });
});

// The real Alertmanager behind a login is tests/secure/secured-stack.test.ts; this server only
// records what Lantern sent.
describe('calls to Alertmanager', () => {
  const seen: { url: string | undefined; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((request, response) => {
    seen.push({ url: request.url, headers: request.headers });
    response.setHeader('content-type', 'application/json');
    response.end('[]');
  });
  let port = 0;
  beforeAll(async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => {
    server.close();
  });

  it('carry the login of the configured URL as a header, never in the request line', async () => {
    await listSilences({ url: `http://am:pw@127.0.0.1:${port}`, publicUrl: 'http://x' });
    expect(seen.at(-1)?.url).toBe('/api/v2/silences');
    expect(seen.at(-1)?.headers.authorization).toBe(
      `Basic ${Buffer.from('am:pw').toString('base64')}`,
    );
  });
});
