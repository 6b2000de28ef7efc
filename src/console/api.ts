import { endpoints, type JsonEndpoint, type ResponseBody } from '../contracts/api/endpoints.ts';

/**
 * The console's one way to reach the analysis API. Every answer is parsed with the endpoint's
 * schema from the shared contract, so a server that drifted from it shows as an error naming the
 * field, not as a page that silently reads `undefined`. The token (when the service has one) is
 * asked for once, kept in sessionStorage and sent as a bearer token; it never goes into a URL.
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

type Method = 'GET' | 'POST';
type PathOf<M extends Method> = {
  [K in JsonEndpoint]: K extends `${M} ${infer P}` ? P : never;
}[JsonEndpoint];
type Params = Record<string, string | undefined>;

/**
 * GET an endpoint by its contract path (`/api/v1/traces/{traceId}`): a parameter named in the
 * path fills it, the others go in the query. Throws ApiFailure with the API's own message.
 */
export async function get<P extends PathOf<'GET'>>(
  path: P,
  params: Params = {},
): Promise<ResponseBody<`GET ${P}`>> {
  const { url, rest } = filled(path, params);
  const search = new URLSearchParams(rest).toString();
  return request(`GET ${path}`, `${url}${search ? `?${search}` : ''}`, { method: 'GET' });
}

/** POST a JSON body to an endpoint by its contract path; `params` fill the path's parameters. */
export async function post<P extends PathOf<'POST'>>(
  path: P,
  body: unknown,
  params: Params = {},
): Promise<ResponseBody<`POST ${P}`>> {
  return request(`POST ${path}`, filled(path, params).url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

/** The path with the parameters it names filled in, and the other parameters. */
function filled(path: string, params: Params): { url: string; rest: [string, string][] } {
  const rest: [string, string][] = [];
  let url = path;
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === '') continue;
    if (url.includes(`{${name}}`)) url = url.replace(`{${name}}`, encodeURIComponent(value));
    else rest.push([name, value]);
  }
  return { url, rest };
}

async function request<K extends JsonEndpoint>(
  key: K,
  url: string,
  init: RequestInit,
): Promise<ResponseBody<K>> {
  const saved = token.get();
  const headers = new Headers(init.headers);
  if (saved) headers.set('authorization', `Bearer ${saved}`);
  let response: Response;
  try {
    response = await fetch(url, { ...init, headers });
  } catch {
    throw new ApiFailure(0, 'the analysis service does not answer');
  }
  const body: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    const message = (body as { error?: { message?: string } }).error?.message;
    throw new ApiFailure(response.status, message ?? `HTTP ${response.status}`);
  }
  const parsed = endpoints[key].body.safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiFailure(
      response.status,
      `${key} answered outside the API contract at "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data as ResponseBody<K>;
}
