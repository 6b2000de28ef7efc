import type { Client, TransportRequestOptions } from '@elastic/elasticsearch';

/** The disks Elasticsearch keeps its data on, all its data nodes together. */
export interface DataDisk {
  readonly totalBytes: number;
  readonly usedBytes: number;
}

/**
 * How large the data disks are and how full, from the nodes' own file-system statistics (what
 * Elasticsearch's disk watermarks read): summed over the data nodes.
 */
export async function dataDisk(
  client: Client,
  options: TransportRequestOptions = {},
): Promise<DataDisk> {
  const stats = await client.nodes.stats(
    {
      metric: 'fs',
      filter_path: [
        'nodes.*.roles',
        'nodes.*.fs.total.total_in_bytes',
        'nodes.*.fs.total.available_in_bytes',
      ],
    },
    options,
  );
  let totalBytes = 0;
  let availableBytes = 0;
  for (const node of Object.values(stats.nodes)) {
    if (node.roles && !node.roles.some((role) => role.startsWith('data'))) continue;
    totalBytes += node.fs?.total?.total_in_bytes ?? 0;
    availableBytes += node.fs?.total?.available_in_bytes ?? 0;
  }
  if (totalBytes === 0) throw new Error('Elasticsearch reported no data node with a disk');
  return { totalBytes, usedBytes: totalBytes - availableBytes };
}
