import { navigate } from '../router.ts';

/** One filter of a list page, kept in the URL: a choice among `options` ('' reads "any"), or text. */
export interface ListFilter {
  readonly name: string;
  readonly value: string;
  readonly options?: readonly string[] | undefined;
}

/**
 * A list page's filters. Changing one rewrites the page's URL (an empty value drops it), so the
 * list follows, and the choice survives a reload or a shared link.
 */
export function ListFilters({
  query,
  filters,
}: {
  query: URLSearchParams;
  filters: readonly ListFilter[];
}) {
  const set = (name: string, value: string): void => {
    const next = new URLSearchParams(query);
    if (value) next.set(name, value);
    else next.delete(name);
    navigate(`${location.pathname}?${next.toString()}`);
  };
  return (
    <form
      class="filters"
      onSubmit={(event) => {
        event.preventDefault();
      }}
    >
      {filters.map(({ name, value, options }) => (
        <label key={name}>
          {name}{' '}
          {options ? (
            <select
              value={value}
              onChange={(e) => {
                set(name, e.currentTarget.value);
              }}
            >
              {options.map((option) => (
                <option key={option} value={option}>
                  {option || 'any'}
                </option>
              ))}
            </select>
          ) : (
            <input
              value={value}
              onChange={(e) => {
                set(name, e.currentTarget.value);
              }}
            />
          )}
        </label>
      ))}
    </form>
  );
}
