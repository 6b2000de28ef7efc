/**
 * Shares a budget of kept traces per second between keys by water-filling: keys slower than
 * their fair share keep everything, and what they leave unused goes to the busier keys. The
 * kept rates add up to the budget whenever the total rate exceeds it, and a rare key is never
 * starved by a frequent one.
 *
 * @returns the keep probability per key
 */
export function allocate(
  ratesPerSecond: ReadonlyMap<string, number>,
  budget: number,
): Map<string, number> {
  const probabilities = new Map<string, number>();
  const byRate = [...ratesPerSecond].sort((a, b) => a[1] - b[1]);
  let remaining = budget;
  let keysLeft = byRate.length;
  for (const [key, rate] of byRate) {
    const share = remaining / keysLeft;
    probabilities.set(key, rate <= share ? 1 : share / rate);
    remaining -= Math.min(rate, share);
    keysLeft -= 1;
  }
  return probabilities;
}
