/** How the console writes numbers and times. */
export const percent = (rate: number | null | undefined): string =>
  rate === null || rate === undefined ? '–' : `${Number((rate * 100).toPrecision(3))}%`;

export const ms = (value: number | null | undefined): string => {
  if (value === null || value === undefined) return '–';
  if (value >= 1000) return `${(value / 1000).toFixed(2)} s`;
  if (value >= 10) return `${value.toFixed(0)} ms`;
  return `${value.toFixed(2)} ms`;
};

/** A burn rate: how many times faster than allowed ("16.7×"). */
export const multiple = (value: number | null | undefined): string =>
  value === null || value === undefined ? '–' : `${Number(value.toPrecision(3))}×`;

export const count = (value: number): string =>
  value >= 10_000 ? `${(value / 1000).toFixed(1)}k` : String(Math.round(value));

export const time = (iso: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleTimeString(undefined, { hour12: false });
};

export const dateTime = (iso: string): string => {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { hour12: false });
};

/** Milliseconds between two RFC 3339 timestamps (nanosecond digits beyond ms are dropped). */
export const between = (from: string, to: string): number => Date.parse(to) - Date.parse(from);

/** Microseconds since the epoch of an RFC 3339 timestamp, keeping sub-millisecond digits. */
export function epochMicros(iso: string): number {
  const match = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(iso);
  if (!match) return Date.parse(iso) * 1000;
  const [, whole = '', fraction = '', zone = 'Z'] = match;
  return Date.parse(`${whole}${zone}`) * 1000 + Number(fraction.padEnd(6, '0').slice(0, 6));
}

/** A size on disk in binary units ("1.4 MiB"). */
export function bytes(value: number | null | undefined): string {
  if (value === null || value === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let size = value;
  let unit = 0;
  while (size >= 1024 && unit < units.length - 1) {
    size /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${String(size)} B` : `${size.toFixed(1)} ${units[unit] ?? ''}`;
}
