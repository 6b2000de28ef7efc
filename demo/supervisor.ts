/**
 * The demo's process supervisor: runs each demo service as a child process of one version, and
 * ships another version on request the way a deploy does: the running process is stopped (on
 * SIGTERM it flushes its spans), and a new one starts with `service.version` set in
 * OTEL_RESOURCE_ATTRIBUTES and the release's faults, if any. `npm start` (bin/start.ts) serves
 * it as `PUT /_demo/deploy`:
 *
 *   curl -X PUT localhost:8083/_demo/deploy -H 'content-type: application/json' \
 *     -d '{"service":"demo-frontend","version":"1.5.0","errorRate":0.3}'
 */
import type { ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { z } from 'zod';

/** A version to run, and how it misbehaves: omitted faults are the service's defaults. */
export interface Release {
  readonly version: string;
  readonly errorRate?: number | undefined;
  readonly latencyMs?: number | undefined;
  /** The faults hit only this route (an express route path, `/checkout/:sku`). */
  readonly route?: string | undefined;
}

/** How the supervisor runs one demo service. */
export interface DemoProcess {
  /** Starts the service's process with these variables added to its environment. */
  launch(env: Readonly<Record<string, string>>): ChildProcess;
  /** Resolves once the process answers; rejects if it exits or never does. */
  ready(child: ChildProcess): Promise<void>;
  /** The route paths a release's faults may name. */
  readonly routes: readonly string[];
}

/** A process that has not exited this long after SIGTERM is killed. */
const STOP_TIMEOUT_MS = 10_000;

/**
 * The variables that make a process run `release`: its version added to the resource
 * attributes the demo inherited (any `service.version` there replaced), and its faults.
 */
export function releaseEnv(release: Release, inherited = ''): Record<string, string> {
  const others = inherited
    .split(',')
    .filter((pair) => pair.trim() !== '' && !/^\s*service\.version\s*=/.test(pair));
  return {
    OTEL_RESOURCE_ATTRIBUTES: [...others, `service.version=${release.version}`].join(','),
    ...(release.errorRate !== undefined && { DEMO_ERROR_RATE: String(release.errorRate) }),
    ...(release.latencyMs !== undefined && { DEMO_LATENCY_MS: String(release.latencyMs) }),
    ...(release.route !== undefined && { DEMO_FAULT_ROUTE: release.route }),
  };
}

interface Running {
  readonly process: DemoProcess;
  child: ChildProcess | undefined;
  release: Release | undefined;
}

export class DemoSupervisor {
  private readonly services: Map<string, Running>;
  private readonly inherited: string;
  /** Deploys run one after another: two at once would race for one port. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(processes: Readonly<Record<string, DemoProcess>>, inherited = '') {
    this.services = new Map(
      Object.entries(processes).map(([name, process]) => [
        name,
        { process, child: undefined, release: undefined },
      ]),
    );
    this.inherited = inherited;
  }

  /** The services and the releases they run. */
  releases(): Record<string, Release | undefined> {
    return Object.fromEntries([...this.services].map(([name, s]) => [name, s.release]));
  }

  /** What is wrong with deploying `release` of `name`, or undefined. */
  problem(name: string, release: Release): string | undefined {
    const service = this.services.get(name);
    if (!service) return `service must be one of ${[...this.services.keys()].join(', ')}`;
    if (release.route !== undefined && !service.process.routes.includes(release.route))
      return `route must be one of ${service.process.routes.join(', ')}`;
    return undefined;
  }

  /**
   * Runs `release` of `name`: stops the process running now (SIGTERM, so it flushes; killed
   * after 10 s), starts the new one and resolves once it answers.
   */
  deploy(name: string, release: Release): Promise<void> {
    const next = this.queue.then(() => this.replace(name, release));
    this.queue = next.catch(() => undefined);
    return next;
  }

  private async replace(name: string, release: Release): Promise<void> {
    const service = this.services.get(name);
    const problem = this.problem(name, release);
    if (!service || problem) throw new Error(problem);
    if (service.child) await stopped(service.child);
    const child = service.process.launch(releaseEnv(release, this.inherited));
    service.child = child;
    service.release = release;
    await service.process.ready(child);
  }

  /** Stops every process (SIGTERM). */
  stop(): void {
    for (const service of this.services.values()) service.child?.kill('SIGTERM');
  }
}

async function stopped(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** PUT /_demo/deploy's body. */
const deployBody = z.strictObject({
  service: z.string().min(1),
  version: z.string().regex(/^[\w.+-]{1,64}$/, 'must be 1–64 letters, digits, ".", "_", "+", "-"'),
  errorRate: z.number().min(0).max(1).optional(),
  latencyMs: z.number().min(0).max(60_000).optional(),
  route: z.string().min(1).optional(),
});

async function jsonBody(req: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of req) {
    text += String(chunk);
    if (text.length > 16_384) throw new Error('body too large');
  }
  return JSON.parse(text === '' ? '{}' : text) as unknown;
}

/**
 * The supervisor's HTTP face on loopback: `GET /_demo/deploy` lists the releases running,
 * `PUT /_demo/deploy {service, version, errorRate?, latencyMs?, route?}` ships one and answers
 * once the new process answers (400 naming the field that is wrong).
 */
export async function deployControl(supervisor: DemoSupervisor, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    const bad = (message: string) => {
      send(400, { error: { code: 'bad_request', message } });
    };
    if (req.url !== '/_demo/deploy') {
      send(404, { error: { code: 'not_found', message: 'only /_demo/deploy is here' } });
      return;
    }
    if (req.method === 'GET') {
      send(200, { releases: supervisor.releases() });
      return;
    }
    if (req.method !== 'PUT') {
      send(405, { error: { code: 'method_not_allowed', message: 'GET or PUT' } });
      return;
    }
    void (async () => {
      let parsed;
      try {
        parsed = deployBody.safeParse(await jsonBody(req));
      } catch (error) {
        bad(`body must be JSON: ${(error as Error).message}`);
        return;
      }
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        bad(`parameter "${issue?.path.join('.') ?? ''}": ${issue?.message ?? 'invalid'}`);
        return;
      }
      const { service, ...release } = parsed.data;
      const problem = supervisor.problem(service, release);
      if (problem) {
        bad(`parameter "${problem.split(' ')[0] ?? ''}": ${problem}`);
        return;
      }
      try {
        await supervisor.deploy(service, release);
        send(200, { service, ...release, releases: supervisor.releases() });
      } catch (error) {
        send(500, { error: { code: 'deploy_failed', message: (error as Error).message } });
      }
    })();
  });
  server.listen(port, '127.0.0.1');
  await once(server, 'listening');
  return server;
}
