/**
 * A server Lantern calls over HTTP (Alertmanager, Jaeger), configured as one URL. Credentials
 * may ride in it (`https://user:password@host`), as in a Prometheus or curl URL: fetch refuses
 * such URLs, so they become a basic-auth header here and the URL it requests carries none.
 */
export interface HttpTarget {
  /** The URL without credentials, without a trailing slash. */
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
}

export function httpTarget(configured: string): HttpTarget {
  const url = new URL(configured);
  const headers: Record<string, string> = {};
  if (url.username !== '' || url.password !== '') {
    const login = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
    headers.authorization = `Basic ${Buffer.from(login).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  return { url: url.href.replace(/\/+$/, ''), headers };
}
