/**
 * A contract type as code that builds or keeps it sees it: read-only wherever it nests, so a
 * value built from read-only parts can be handed to the API, and the engine cannot change an
 * alert it has not stored.
 */
export type Immutable<T> = T extends readonly (infer E)[]
  ? readonly Immutable<E>[]
  : T extends object
    ? { readonly [P in keyof T]: Immutable<T[P]> }
    : T;
