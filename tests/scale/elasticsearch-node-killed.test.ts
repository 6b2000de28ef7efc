import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { indices } from '../../src/contracts/indices.ts';
import { stack } from '../../tools/harness/otlp.ts';
import { settledCount } from '../../tools/harness/pipeline-counts.ts';
import { es } from '../../tools/harness/stores.ts';
import { generateLoad } from '../../tools/harness/telemetry-load.ts';
import { runningPid } from '../../tools/stack/daemon.ts';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { startServer } from '../../tools/stack/stack.ts';
import { upTo } from '../support/polling.ts';

/**
 * The node that holds the primary of today's logs index killed with SIGKILL under load through
 * both gateways, and started again 30 s later. The replica on another node takes over (the
 * cluster is yellow, not red), the Collectors' Elasticsearch clients send to the nodes left,
 * and both analysis replicas keep answering from the nodes left.
 */
const settings = loadStackSettings();
const gateways = stack.gateways ?? [];
const replicas = stack.analysis ?? [];
const service = `scale-es-node-${Date.now().toString(36)}`;
const RATE = 500;
let killed: string | undefined;

afterAll(async () => {
  if (killed) await startServer(killed, settings);
});

describe('an Elasticsearch node killed with SIGKILL under load, then restarted', () => {
  it('loses nothing acknowledged, and the API answers while the cluster is yellow', async () => {
    const load = Promise.all(
      gateways.map((otlpHttp) =>
        generateLoad({ otlpHttp, service, logsPerSecond: RATE, spansPerSecond: RATE, seconds: 60 }),
      ),
    );
    await sleep(10_000);
    const shards = await es.cat.shards({ index: indices.logs.pattern, format: 'json' });
    const primary = shards.find((shard) => shard.prirep === 'p' && shard.state === 'STARTED');
    killed = primary?.node ?? undefined;
    expect(killed).toMatch(/^elasticsearch-[123]$/);
    // The whole process group: the launcher and the node's JVM at once, as a crash would.
    process.kill(-(runningPid(settings.paths, killed ?? '') ?? 0), 'SIGKILL');

    // Once the cluster has seen the node go: its replicas wait (a minute) for it to come back.
    const yellow = await vi.waitFor(async () => {
      const health = await es.cluster.health({ timeout: '1s' });
      expect(health.number_of_nodes).toBe(2);
      return health;
    }, upTo(60_000));
    const statuses: number[] = [];
    const healthSeen: string[] = [];
    for (let round = 0; round < 5; round += 1) {
      for (const url of replicas) {
        const response = await fetch(`${url}/api/v1/services`);
        statuses.push(response.status);
        await response.arrayBuffer();
      }
      const health = (await (await fetch(`${replicas[0] ?? ''}/api/v1/health`)).json()) as {
        components: { name: string; detail: string }[];
      };
      healthSeen.push(health.components.find((c) => c.name === 'elasticsearch')?.detail ?? '');
      await sleep(3_000);
    }
    const nodesWhileDown = (await es.cat.nodes({ format: 'json', h: 'name' })).length;
    await sleep(10_000);
    await startServer(killed ?? '', settings);
    const sent = await load;
    const acked = {
      logs: sent.reduce((sum, c) => sum + c.logsAccepted, 0),
      spans: sent.reduce((sum, c) => sum + c.spansAccepted, 0),
      refused: sent.reduce((sum, c) => sum + c.logsFailed + c.spansFailed, 0),
    };
    const storedLogs = await settledCount(es, 'logs', service, acked.logs, { timeoutMs: 180_000 });
    const storedSpans = await settledCount(es, 'spans', service, acked.spans, {
      timeoutMs: 180_000,
    });
    const green = await vi.waitFor(async () => {
      const health = await es.cluster.health({ timeout: '1s' });
      expect(health.status).toBe('green');
      return health;
    }, upTo(120_000));
    console.log(
      `[elasticsearch node ${killed ?? ''} SIGKILL] cluster ${yellow.status} with ${String(nodesWhileDown)} nodes; ` +
        `API answers ${statuses.join(',')}; health said ${healthSeen.join(' / ')}; ` +
        `logs acked ${String(acked.logs)} → stored ${String(storedLogs)}; spans acked ${String(acked.spans)} → stored ${String(storedSpans)}; refused ${String(acked.refused)}; then ${green.status}`,
    );
    expect(nodesWhileDown).toBe(2);
    expect(yellow.status).toBe('yellow');
    expect(statuses).toEqual(statuses.map(() => 200));
    expect(healthSeen.every((detail) => detail.includes('yellow'))).toBe(true);
    expect(acked.refused).toBe(0);
    expect(storedLogs).toBeGreaterThanOrEqual(acked.logs);
    expect(storedSpans).toBeGreaterThanOrEqual(acked.spans);
    expect(green.status).toBe('green');
  });
});
