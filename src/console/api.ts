/**
 * The console's one way to reach the analysis API. The token (when the service has one) is asked
 * for once, kept in sessionStorage and sent as a bearer token; it never goes into a URL.
 */
const TOKEN_KEY = 'lantern.token';

export class ApiFailure extends Error {
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

export const token = {
  get: (): string | null => sessionStorage.getItem(TOKEN_KEY),
  set: (value: string): void => {
    sessionStorage.setItem(TOKEN_KEY, value);
  },
  clear: (): void => {
    sessionStorage.removeItem(TOKEN_KEY);
  },
};

/** GET an API path; throws ApiFailure with the API's own message on an error status. */
export async function get<T>(
  path: string,
  params: Record<string, string | undefined> = {},
): Promise<T> {
  const query = new URLSearchParams(
    Object.entries(params).filter(
      (entry): entry is [string, string] => entry[1] !== undefined && entry[1] !== '',
    ),
  ).toString();
  return request<T>(`${path}${query ? `?${query}` : ''}`, { method: 'GET' });
}

export async function post<T>(path: string, body: unknown): Promise<T> {
  return request<T>(path, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

async function request<T>(url: string, init: RequestInit): Promise<T> {
  const saved = token.get();
  const headers = new Headers(init.headers);
  if (saved) headers.set('authorization', `Bearer ${saved}`);
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers });
  } catch {
    throw new ApiFailure(0, 'the analysis service does not answer');
  }
  const body = (await response.json().catch(() => ({}))) as { error?: { message?: string } };
  if (!response.ok) {
    throw new ApiFailure(response.status, body.error?.message ?? `HTTP ${response.status}`);
  }
  return body as T;
}
