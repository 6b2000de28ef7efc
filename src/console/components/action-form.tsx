import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { ApiFailure } from '../api.ts';

/**
 * A form that asks the API to do something and shows what came of it beside its buttons: the
 * text `act` resolves to, or the API's own words when it refuses. `act` gets the form's fields
 * and the value of the button that submitted it.
 */
export function ActionForm({
  class: className,
  label,
  act,
  children,
}: {
  class: string;
  label: string;
  act: (data: FormData, button: string) => Promise<string>;
  children: ComponentChildren;
}) {
  const [outcome, setOutcome] = useState<{ ok: boolean; text: string } | undefined>(undefined);
  return (
    <form
      class={`${className} filters`}
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        const submitter = (event as SubmitEvent).submitter as HTMLButtonElement | null;
        act(new FormData(event.currentTarget), submitter?.value ?? '').then(
          (text) => {
            setOutcome({ ok: true, text });
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
      {children}
      {outcome ? (
        <span role="status" class={outcome.ok ? 'silenced' : 'bad'}>
          {outcome.text}
        </span>
      ) : null}
    </form>
  );
}
