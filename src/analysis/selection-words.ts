import type { RequestSelection } from '../contracts/request-selection.ts';

const clock = (ms: number) => new Date(ms).toISOString().slice(11, 19);

/** A selection as a reader says it: "failed requests of 800 ms or more, started 12:00–12:05". */
export function selectionInWords(s: RequestSelection): string {
  const parts: string[] = [];
  if (s.minMs !== undefined && s.maxMs !== undefined) parts.push(`of ${s.minMs}–${s.maxMs} ms`);
  else if (s.minMs !== undefined) parts.push(`of ${s.minMs} ms or more`);
  else if (s.maxMs !== undefined) parts.push(`of at most ${s.maxMs} ms`);
  if (s.startFrom !== undefined || s.startTo !== undefined)
    parts.push(
      `started ${s.startFrom === undefined ? '…' : clock(s.startFrom)}–${s.startTo === undefined ? '…' : clock(s.startTo)} UTC`,
    );
  if (s.attribute) parts.push(`with ${s.attribute.key}=${s.attribute.value}`);
  const noun =
    s.failed === true ? 'failed requests' : s.failed === false ? 'successful requests' : 'requests';
  return [noun, ...parts].join(' ');
}
