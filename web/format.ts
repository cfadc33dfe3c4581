/**
 * A match score or confidence (0 to 1) as a percentage, cut (never rounded up) to one decimal, so that
 * only an exact match reads 100%.
 */
export function formatScore(value: number): string {
  return value >= 1 ? '100%' : `${(Math.floor(value * 1000) / 10).toFixed(1)}%`;
}
