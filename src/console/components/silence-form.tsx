import { useState } from 'preact/hooks';
import { ApiFailure, post } from '../api.ts';
import { field } from '../form.ts';
import { dateTime } from '../format.ts';

const DURATIONS = ['30m', '1h', '4h', '24h', '7d'] as const;

/** Silences one alert in Alertmanager through Lantern's API (no Alertmanager UI runs locally). */
export function SilenceForm({ alertId }: { alertId: string }) {
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  return (
    <form
      class="silence filters"
      aria-label="silence this alert"
      onSubmit={(event) => {
        event.preventDefault();
        const data = new FormData(event.currentTarget);
        post('/api/v1/silences', {
          alertId,
          duration: field(data, 'duration'),
          comment: field(data, 'comment'),
        }).then(
          (created) => {
            setOutcome({
              ok: true,
              text: `Silenced until ${dateTime(created.endsAt)} (silence ${created.silenceId}).`,
            });
          },
          (error: unknown) => {
            setOutcome({
              ok: false,
              text: error instanceof ApiFailure ? error.message : String(error),
            });
          },
        );
      }}
    >
      <label>
        silence for{' '}
        <select name="duration">
          {DURATIONS.map((d) => (
            <option key={d}>{d}</option>
          ))}
        </select>
      </label>
      <label>
        because <input name="comment" required placeholder="why (kept in Alertmanager)" size={36} />
      </label>
      <button type="submit">Silence</button>
      {outcome ? (
        <span role="status" class={outcome.ok ? 'silenced' : 'bad'}>
          {outcome.text}
        </span>
      ) : null}
    </form>
  );
}
