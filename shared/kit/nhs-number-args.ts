import { badUserInput, nhsCheckDigit, normaliseNhsNumber, quoteInput } from '../common';

/** The most children one call may ask for: a caseload, not a census. */
export const MAX_CHILDREN_PER_CALL = 500;

/** Ten digits with spaces between groups ("999 000 0018") is 12 characters; anything much longer is not an NHS number. */
const MAX_WRITTEN_LENGTH = 20;

/**
 * Checks an NHS number argument; a bad one is BAD_USER_INPUT naming the argument and the rule it breaks,
 * quoting no more than a short, cleaned prefix of what was sent.
 */
export function validateNhsNumberArg(value: string, argument = 'nhsNumber'): string {
  const digits = value.length <= MAX_WRITTEN_LENGTH ? normaliseNhsNumber(value) : '';
  if (!/^\d{10}$/.test(digits)) {
    throw badUserInput(`${argument}: ${quoteInput(value)} is not an NHS number: it must be exactly 10 digits`, { argument });
  }
  const expected = nhsCheckDigit(digits.slice(0, 9));
  if (expected === null || expected !== Number(digits[9])) {
    throw badUserInput(`${argument}: ${quoteInput(value)} is not an NHS number: its check digit fails the Modulus 11 check`, { argument });
  }
  return digits;
}

/** Checks a list of NHS numbers: at most 500, each valid. */
export function validateNhsNumberList(values: readonly string[], argument = 'nhsNumbers'): string[] {
  if (values.length > MAX_CHILDREN_PER_CALL) {
    throw badUserInput(`${argument}: at most ${MAX_CHILDREN_PER_CALL} NHS numbers may be asked for in one call; got ${values.length}`, { argument });
  }
  return values.map((value, i) => validateNhsNumberArg(value, `${argument}[${i}]`));
}
