import { badUserInput } from './errors';
import { nhsNumberProblem, normaliseNhsNumber } from './nhs-number';

/** The most children one call may ask for: a caseload, not a census. */
export const MAX_CHILDREN_PER_CALL = 500;

/** Checks an NHS number argument; a bad one is BAD_USER_INPUT naming the rule it breaks. */
export function validateNhsNumberArg(value: string, argument = 'nhsNumber'): string {
  const problem = nhsNumberProblem(value);
  if (problem) throw badUserInput(`${argument}: ${problem}`, { argument });
  return normaliseNhsNumber(value);
}

/** Checks a list of NHS numbers: at most 500, each valid. */
export function validateNhsNumberList(values: readonly string[], argument = 'nhsNumbers'): string[] {
  if (values.length > MAX_CHILDREN_PER_CALL) {
    throw badUserInput(`${argument}: at most ${MAX_CHILDREN_PER_CALL} NHS numbers may be asked for in one call; got ${values.length}`, { argument });
  }
  return values.map((value, i) => validateNhsNumberArg(value, `${argument}[${i}]`));
}
