/** Elasticsearch's byte-size units, each 1024 times the one before. */
const UNITS = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 } as const;

/** `512mb`, `20gb`, `1.5tb` (Elasticsearch's units, case-insensitive) → bytes; undefined when malformed. */
export function parseByteSize(text: string): number | undefined {
  const match = /^(\d+(?:\.\d+)?)(b|kb|mb|gb|tb)$/i.exec(text.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? '').toLowerCase() as keyof typeof UNITS;
  return Math.floor(Number(match[1]) * UNITS[unit]);
}

/** A byte count as people read it, in the largest unit that keeps it at least 1 (`1.5gb`). */
export function formatBytes(bytes: number): string {
  const entries = Object.entries(UNITS).reverse();
  const [unit, size] = entries.find(([, size]) => bytes >= size) ?? ['b', 1];
  return `${Number((bytes / size).toPrecision(3))}${unit}`;
}
