import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { COLLECTOR_FEATURE_GATES } from '../../tools/stack/collector.ts';
import { repoRoot } from '../../tools/stack/paths.ts';
import { scaleProfileEnv } from '../../tools/stack/scale-profile.ts';
import { collectorEndpoints, loadStackSettings } from '../../tools/stack/settings.ts';
import { analysisReplicas, collectorInstances } from '../../tools/stack/topology.ts';
import { loadCompose, type Service } from '../support/compose-project.ts';

/** compose.yaml's scale profile, held to the local scaled profile (stack:up --scale). */
const project = loadCompose(join(repoRoot, 'compose.yaml'));
const scaled = Object.fromEntries(
  Object.entries(project.services).filter(([, s]) => s.profiles?.includes('scale')),
);
const service = (name: string): Service => {
  const found = scaled[name];
  if (!found) throw new Error(`the scale profile has no service ${name}`);
  return found;
};
const local = loadStackSettings(scaleProfileEnv({}));
const mounted = (s: Service, target: string) =>
  s.volumes?.find((volume) => volume.target === target)?.source;
const variablesRead = (file: string): string[] => [
  ...new Set(
    [...readFileSync(join(repoRoot, file), 'utf8').matchAll(/\$\{env:([A-Z_]+)\}/g)].map(
      (m) => m[1] ?? '',
    ),
  ),
];

describe("compose.yaml's scale profile", () => {
  it('has the scaled profile’s servers, each only in that profile', () => {
    expect(Object.keys(scaled).sort()).toEqual([
      'alertmanager-config-scale',
      'alertmanager-scale',
      'analysis-1',
      'analysis-2',
      'collector-gateway-1',
      'collector-gateway-2',
      'collector-sampling',
      'es-1',
      'es-2',
      'es-3',
      'jaeger-scale',
      'jaeger-storage-scale',
      'lantern-setup-scale',
    ]);
    expect(service('collector-sampling').deploy?.replicas).toBe(2);
  });

  it('forms one cluster of three nodes that find each other', () => {
    const nodes = ['es-1', 'es-2', 'es-3'].map((name) => service(name).environment ?? {});
    expect(nodes.map((env) => env['node.name'])).toEqual(['es-1', 'es-2', 'es-3']);
    for (const env of nodes) {
      expect(env['cluster.name']).toBe('lantern-scale');
      expect(env['discovery.seed_hosts']).toBe('es-1,es-2,es-3');
      expect(env['cluster.initial_master_nodes']).toBe('es-1,es-2,es-3');
    }
    expect(
      new Set(
        ['es-1', 'es-2', 'es-3'].map((n) => mounted(service(n), '/usr/share/elasticsearch/data')),
      ).size,
    ).toBe(3);
  });

  it('derives the gateway and sampling configs from otel-collector.yaml, as the local profile does', () => {
    const gateway = service('collector-gateway-1');
    const sampling = service('collector-sampling');
    expect(mounted(gateway, '/etc/otelcol/config.yaml')).toBe(
      join(repoRoot, 'otel-collector.yaml'),
    );
    expect(mounted(gateway, '/etc/otelcol/gateway.yaml')).toBe(
      join(repoRoot, 'otel-collector.gateway.yaml'),
    );
    expect(mounted(sampling, '/etc/otelcol/config.yaml')).toBe(
      join(repoRoot, 'otel-collector.yaml'),
    );
    expect(mounted(sampling, '/etc/otelcol/sampling.yaml')).toBe(
      join(repoRoot, 'otel-collector.sampling.yaml'),
    );
    expect(gateway.command?.at(-1)).toBe(`--feature-gates=${COLLECTOR_FEATURE_GATES}`);
    expect(sampling.command?.at(-1)).toBe(`--feature-gates=${COLLECTOR_FEATURE_GATES}`);
    for (const variable of variablesRead('otel-collector.gateway.yaml')) {
      expect(gateway.environment, variable).toHaveProperty(variable);
    }
    for (const variable of variablesRead('otel-collector.sampling.yaml')) {
      expect(sampling.environment, variable).toHaveProperty(variable);
    }
  });

  it('has the gateways resolve the sampling service by name on the port it receives OTLP on', () => {
    const resolverFile = mounted(
      service('collector-gateway-2'),
      '/etc/otelcol/gateway-resolver.yaml',
    );
    expect(resolverFile).toBe(join(repoRoot, 'config', 'collector-gateway.compose.yaml'));
    const resolver = parse(readFileSync(resolverFile ?? '', 'utf8')) as {
      exporters: { loadbalancing: { resolver: { dns: { hostname: string; port: string } } } };
    };
    const { dns } = resolver.exporters.loadbalancing.resolver;
    expect(dns.hostname).toBe('collector-sampling');
    expect(service('collector-sampling').environment?.LANTERN_OTLP_GRPC_ENDPOINT).toBe(
      `0.0.0.0:${dns.port}`,
    );
    // Each gateway keeps its own queue.
    expect(mounted(service('collector-gateway-1'), '/var/lib/otelcol/file_storage')).not.toBe(
      mounted(service('collector-gateway-2'), '/var/lib/otelcol/file_storage'),
    );
  });

  it('gives every reader every node, and each analysis replica its own id', () => {
    const nodes = 'http://es-1:9200,http://es-2:9200,http://es-3:9200';
    expect(service('analysis-1').environment?.LANTERN_ES_URL).toBe(nodes);
    expect(service('analysis-2').environment?.LANTERN_ES_URL).toBe(nodes);
    expect(service('lantern-setup-scale').environment?.LANTERN_ES_URL).toBe(nodes);
    expect(service('collector-sampling').environment?.LANTERN_ES_URLS).toBe(
      `[${nodes.split(',').join(', ')}]`,
    );
    expect(service('jaeger-storage-scale').environment?.LANTERN_ES_URL).toBe(nodes);
    expect(service('jaeger-scale').environment?.JAEGER_STORAGE_ENDPOINT).toBe(
      'jaeger-storage-scale:17271',
    );
    expect(service('analysis-1').environment?.LANTERN_REPLICA_ID).toBe('analysis-1');
    expect(service('analysis-2').environment?.LANTERN_REPLICA_ID).toBe('analysis-2');
  });

  it('publishes on the local scaled profile’s ports, none of them the default services’', () => {
    const published = (name: string) => (service(name).ports ?? []).map((p) => Number(p.published));
    expect(published('es-1')).toEqual([local.LANTERN_ES_PORT]);
    const gateways = collectorInstances(local).filter((i) => i.tier === 'gateway');
    expect(
      [...published('collector-gateway-1'), ...published('collector-gateway-2')].sort(),
    ).toEqual(
      gateways
        .flatMap((g) => [
          collectorEndpoints(local, g).otlpGrpc,
          collectorEndpoints(local, g).otlpHttp,
        ])
        .map((url) => Number(url.split(':').at(-1)))
        .sort(),
    );
    expect([...published('analysis-1'), ...published('analysis-2')]).toEqual(
      analysisReplicas(local).map((r) => local.LANTERN_ANALYSIS_PORT + r.offset),
    );
    expect(published('jaeger-scale')).toEqual([local.LANTERN_JAEGER_QUERY_PORT]);
    expect(published('alertmanager-scale')).toEqual([local.LANTERN_ALERTMANAGER_PORT]);
    const defaults = Object.values(project.services)
      .filter((s) => !s.profiles?.length)
      .flatMap((s) => (s.ports ?? []).map((p) => p.published));
    const scalePorts = Object.values(scaled).flatMap((s) =>
      (s.ports ?? []).map((p) => p.published),
    );
    expect(scalePorts.filter((port) => defaults.includes(port))).toEqual([]);
  });
});
