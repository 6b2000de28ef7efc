import { execFileSync } from 'node:child_process';
import { chownSync, readFileSync } from 'node:fs';
import { createElasticsearchClient } from '../../src/storage/client.ts';
import { installIndexTemplates } from '../../src/storage/templates.ts';
import { elasticsearch } from '../../tools/stack/elasticsearch.ts';
import { loadStackSettings } from '../../tools/stack/settings.ts';
import { startServer, stopServer } from '../../tools/stack/stack.ts';
import { endpoints } from '../../tools/stack/settings.ts';
import { unprivilegedUser } from '../../tools/stack/unprivileged-user.ts';

/** Elasticsearch on a small file system of its own, and how to put it back. */
export interface SmallDisk {
  readonly dataDir: string;
  /** Stops Elasticsearch, unmounts the small file system (its old data shows again), starts it. */
  restore(): Promise<void>;
}

/**
 * Restarts the stack's Elasticsearch with its data folder on a tmpfs of `sizeMb` mounted over
 * it (the data it had stays underneath, untouched), with Lantern's templates installed. Resolves
 * what is missing instead when the file system cannot be mounted (not root, no mount).
 */
export async function elasticsearchOnSmallDisk(
  sizeMb: number,
): Promise<SmallDisk | { missing: string }> {
  if (process.getuid?.() !== 0) return { missing: 'root, to mount a tmpfs' };
  const settings = loadStackSettings();
  const [dataDir] = elasticsearch.dataDirs(settings);
  if (!dataDir) return { missing: "the stack's Elasticsearch data folder" };
  await stopServer('elasticsearch', settings);
  // A run killed before it restored: its file system is still mounted there.
  if (readFileSync('/proc/mounts', 'utf8').includes(` ${dataDir} `))
    execFileSync('umount', [dataDir]);
  try {
    execFileSync('mount', [
      '-t',
      'tmpfs',
      '-o',
      `size=${String(sizeMb)}m`,
      'lantern-small-disk',
      dataDir,
    ]);
  } catch (error) {
    await startServer('elasticsearch', settings);
    return { missing: `a tmpfs mount (${(error as Error).message.split('\n')[0] ?? ''})` };
  }
  const { uid, gid } = unprivilegedUser();
  chownSync(dataDir, uid, gid);
  await startServer('elasticsearch', settings);
  const client = createElasticsearchClient({ url: endpoints(settings).elasticsearch });
  try {
    await installIndexTemplates(client);
  } finally {
    await client.close();
  }
  return {
    dataDir,
    async restore() {
      await stopServer('elasticsearch', settings);
      execFileSync('umount', [dataDir]);
      await startServer('elasticsearch', settings);
    },
  };
}
