/** Calendar arithmetic on ISO dates (YYYY-MM-DD), in UTC so that the seed is the same in every time zone. */
export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

/** A date of birth that makes someone `age` on `asOf`, falling on the given month and day. */
export function birthDateFor(asOf: string, age: number, month: number, day: number): string {
  const [y, m, d] = asOf.split('-').map(Number) as [number, number, number];
  const birthdayPassed = month < m || (month === m && day <= d);
  const year = y - age - (birthdayPassed ? 0 : 1);
  return `${year}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Whole years between an ISO date of birth and `asOf`. */
export function ageOn(dateOfBirth: string, asOf: string): number {
  const [by, bm, bd] = dateOfBirth.split('-').map(Number) as [number, number, number];
  const [y, m, d] = asOf.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

export function today(): string {
  return new Date().toISOString().slice(0, 10);
}
