/** A half-open time range [from, to) in epoch milliseconds. */
export interface TimeRange {
  readonly from: number;
  readonly to: number;
}

export const rangeFilter = (field: string, range: TimeRange) => ({
  range: {
    [field]: {
      gte: new Date(range.from).toISOString(),
      lt: new Date(range.to).toISOString(),
    },
  },
});
