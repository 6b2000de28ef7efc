import { readFileSync } from 'node:fs';
import https from 'node:https';
import { join } from 'node:path';
import { credentialsIn, secureDir, type StackCredentials } from '../../tools/stack/credentials.ts';
import {
  endpoints,
  loadStackSettings,
  type StackEndpoints,
  type StackSettings,
} from '../../tools/stack/settings.ts';
import { stackBeside, stackCli } from '../../tools/harness/stack-cli.ts';
import { userStateDir } from './test-stack.ts';

/**
 * A second, secured stack for the security tests: its own state folder and every port moved by
 * 20000, so it runs beside the plain stack the other suites use. Started as a child process
 * (`node bin/stack.ts up --secure`), exactly as a user starts it.
 */
const defaults = loadStackSettings({});
const PORT_SHIFT = 20_000;

export const secureStackEnv = stackBeside(
  defaults,
  join(userStateDir, 'secure-test-stack'),
  PORT_SHIFT,
);

export const secureSettings: StackSettings = loadStackSettings({
  ...secureStackEnv,
  LANTERN_SECURE: '1',
});

export const secureStack: StackEndpoints = endpoints(secureSettings);

export const secureCredentials = (): StackCredentials =>
  credentialsIn(secureDir(secureSettings.paths));

/** Runs the stack CLI against the secured test stack; resolves with its whole output. */
export const secureStackCli = (...args: string[]): Promise<string> =>
  stackCli(secureStackEnv, args);

/** Status and body of a request over HTTPS trusting only `ca` (fetch cannot take a CA per request). */
export function requestTls(
  url: string,
  ca: Buffer,
  options: {
    readonly method?: string;
    readonly headers?: Readonly<Record<string, string>>;
    readonly body?: string | undefined;
  } = {},
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const request = https.request(
      url,
      { method: options.method ?? 'GET', headers: options.headers, ca },
      (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          resolve({ status: response.statusCode ?? 0, text });
        });
      },
    );
    request.on('error', reject);
    request.end(options.body);
  });
}

/** Status of a POST over HTTPS trusting only `ca`. */
export async function postTls(
  url: string,
  body: string,
  headers: Readonly<Record<string, string>>,
  ca: Buffer,
): Promise<number> {
  return (await requestTls(url, ca, { method: 'POST', headers, body })).status;
}

/** The variables of a secured stack's service.env or analysis.env, as a shell would read them. */
export function envFileVariables(path: string): Record<string, string> {
  const variables: Record<string, string> = {};
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const match = /^([A-Z_][A-Z0-9_]*)=(?:'([^']*)'|(.*))$/.exec(line);
    if (match?.[1] !== undefined) variables[match[1]] = match[2] ?? match[3] ?? '';
  }
  return variables;
}
