import { post } from '../api.ts';
import { field } from '../form.ts';
import { dateTime } from '../format.ts';
import { ActionForm } from './action-form.tsx';

const DURATIONS = ['30m', '1h', '4h', '24h', '7d'] as const;

/** Silences one alert in Alertmanager through Lantern's API (no Alertmanager UI runs locally). */
export function SilenceForm({ alertId }: { alertId: string }) {
  return (
    <ActionForm
      class="silence"
      label="silence this alert"
      act={async (data) => {
        const created = await post('/api/v1/silences', {
          alertId,
          duration: field(data, 'duration'),
          comment: field(data, 'comment'),
        });
        return `Silenced until ${dateTime(created.endsAt)} (silence ${created.silenceId}).`;
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
    </ActionForm>
  );
}
