/**
 * A match score or confidence (0 to 1) as a percentage, cut (never rounded up) to one decimal, so that
 * only an exact match reads 100%.
 */
export function formatScore(value: number): string {
  return value >= 1 ? '100%' : `${(Math.floor(value * 1000) / 10).toFixed(1)}%`;
}

/** An ISO 8601 timestamp to the minute, as a person reads it: `2026-11-24 22:40`. */
export function formatTime(iso: string): string {
  return iso.slice(0, 16).replace('T', ' ');
}

/** A police incident type as words: `DOMESTIC_ABUSE_VERBAL` → `verbal`. */
export function formatIncidentType(type: string): string {
  return type
    .replace(/^DOMESTIC_ABUSE_/, '')
    .toLowerCase()
    .replace(/_/g, ' ');
}
