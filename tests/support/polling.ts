/**
 * Options for `expect.poll` and `vi.waitFor` in tests against real servers: wait up to `timeoutMs`
 * (30 s unless a test knows its wait is longer), looking every half second so the stack is
 * not flooded with queries while it catches up.
 */
export const upTo = (timeoutMs = 30_000) => ({ timeout: timeoutMs, interval: 500 }) as const;
