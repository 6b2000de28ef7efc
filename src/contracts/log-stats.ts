/** Log records of one group, and how many of them are errors (severity >= ERROR). */
export interface LogStats {
  /** Service name or bucket start (epoch ms as a string). */
  readonly key: string;
  readonly logs: number;
  readonly errors: number;
  /** Epoch ms of the earliest record in the range; null when there is none. */
  readonly since: number | null;
}

/** One exact error message, how often it was logged, first when, and a trace it was logged in. */
export interface MessageCount {
  readonly message: string;
  readonly count: number;
  /** Epoch ms of its first record in the range. */
  readonly firstSeen: number;
  readonly exampleTraceId: string | null;
}
