import { useState } from 'preact/hooks';
import { WhatIsDifferent, WhereItStarts, useDifferences } from './differences.tsx';

/**
 * The service page's comparison: its failed requests, or its requests slower than a bound
 * (the slowest route's p95 to start with), against its others in the page's range.
 */
export function ServiceDifferences(props: {
  service: string;
  from: string;
  to: string | undefined;
  /** What the page's data is loaded again on (its URL): the range moves with the clock. */
  pageKey: string;
  slowMs: number | null;
}) {
  const [selection, setSelection] = useState<'failed' | 'slow'>('failed');
  const [slowMs, setSlowMs] = useState<number>();
  const bound = slowMs ?? Math.max(1, Math.round(props.slowMs ?? 1000));
  const loaded = useDifferences(
    {
      service: props.service,
      from: props.from,
      to: props.to,
      ...(selection === 'failed' ? { failed: 'true' } : { minMs: String(bound) }),
    },
    `${props.pageKey}:${selection}:${String(bound)}`,
  );
  return (
    <div class="service-differences">
      <h2>What is different</h2>
      <form class="filters" aria-label="compare">
        <label>
          <input
            type="radio"
            name="selection"
            checked={selection === 'failed'}
            onChange={() => {
              setSelection('failed');
            }}
          />{' '}
          failed requests
        </label>
        <label>
          <input
            type="radio"
            name="selection"
            checked={selection === 'slow'}
            onChange={() => {
              setSelection('slow');
            }}
          />{' '}
          requests of at least{' '}
          <input
            name="slowMs"
            inputMode="numeric"
            size={6}
            value={String(bound)}
            onChange={(event) => {
              const value = Number(event.currentTarget.value);
              if (Number.isFinite(value) && value > 0) setSlowMs(value);
              setSelection('slow');
            }}
          />{' '}
          ms
        </label>
      </form>
      <WhatIsDifferent loaded={loaded} titled={false} />
      <WhereItStarts loaded={loaded} />
    </div>
  );
}
