/**
 * NHS numbers: ten digits, the last a Modulus 11 check digit over the first nine
 * with weights 10..2. A remainder of 0 gives check digit 0; a check digit of 10
 * means the nine digits can never form a valid number.
 */

/** Why a string is not a valid NHS number, or `null` when it is one. */
export function nhsNumberProblem(input: string): string | null {
  const digits = input.replace(/\s+/g, '');
  if (!/^\d{10}$/.test(digits)) {
    return `"${input}" is not an NHS number: it must be exactly 10 digits`;
  }
  const expected = nhsCheckDigit(digits.slice(0, 9));
  if (expected === null || expected !== Number(digits[9])) {
    return `"${input}" is not an NHS number: its check digit fails the Modulus 11 check`;
  }
  return null;
}

export function isValidNhsNumber(input: string): boolean {
  return nhsNumberProblem(input) === null;
}

/** The check digit for nine leading digits, or `null` when none exists (remainder gives 10). */
export function nhsCheckDigit(nineDigits: string): number | null {
  let total = 0;
  for (let i = 0; i < 9; i++) total += Number(nineDigits[i]) * (10 - i);
  const check = 11 - (total % 11);
  if (check === 11) return 0;
  if (check === 10) return null;
  return check;
}

/** Removes spaces so that "999 000 0018" and "9990000018" are the same key. */
export function normaliseNhsNumber(input: string): string {
  return input.replace(/\s+/g, '');
}
