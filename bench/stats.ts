/** The value at percentile `p` (0–100) of `xs`, by rank: the median is `percentile(xs, 50)`. */
export function percentile(xs: readonly number[], p: number): number {
  return [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))]!;
}

/** The middle of `xs` (the upper of the two middles when there is an even number). */
export const median = (xs: readonly number[]): number => percentile(xs, 50);
