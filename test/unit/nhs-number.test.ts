import fc from 'fast-check';
import { isValidNhsNumber, nhsCheckDigit, nhsNumberProblem } from '../../shared';
import { syntheticNhsNumbers } from '../../synthetic';

/** An independent formulation: the weighted sum of all ten digits (check digit weight 1) is 0 mod 11. */
function independentlyValid(s: string): boolean {
  if (!/^\d{10}$/.test(s)) return false;
  const digits = [...s].map(Number);
  const check = digits[9]!;
  const sum = digits.slice(0, 9).reduce((acc, d, i) => acc + d * (10 - i), 0);
  return check !== 10 && (sum + check) % 11 === 0 && (11 - (sum % 11)) % 11 !== 10;
}

describe('NHS numbers', () => {
  it("accepts the demo children's numbers", () => {
    for (const n of ['9990000018', '9990000026', '9990000034', '9990000042', '9990000050']) expect(isValidNhsNumber(n)).toBe(true);
  });

  it('ignores spaces as people write them', () => {
    expect(isValidNhsNumber('999 000 0018')).toBe(true);
  });

  it('names the rule a bad number breaks', () => {
    expect(nhsNumberProblem('12345')).toContain('exactly 10 digits');
    expect(nhsNumberProblem('999000001X')).toContain('exactly 10 digits');
    expect(nhsNumberProblem('9990000019')).toContain('Modulus 11');
  });

  it('treats nine digits whose check would be 10 as never valid', () => {
    // 999000006: sum gives remainder 1, so the check digit would be 10.
    const nine = [...Array(1000).keys()].map((i) => `999${String(i).padStart(6, '0')}`).find((p) => nhsCheckDigit(p) === null)!;
    expect(nine).toBeDefined();
    for (let d = 0; d <= 9; d++) expect(isValidNhsNumber(`${nine}${d}`)).toBe(false);
  });

  it('agrees with an independent formulation on any ten digits', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^\d{10}$/), (s) => isValidNhsNumber(s) === independentlyValid(s)),
      { numRuns: 20_000 },
    );
  });

  it('rejects anything that is not ten digits', () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !/^\d{10}$/.test(s.replace(/\s+/g, ''))),
        (s) => !isValidNhsNumber(s),
      ),
    );
  });

  it('generates synthetic numbers only in 999 000 0000–999 999 9999, all valid', () => {
    const numbers = syntheticNhsNumbers();
    for (let i = 0; i < 5000; i++) {
      const n = numbers.next().value as string;
      expect(n.startsWith('999')).toBe(true);
      expect(isValidNhsNumber(n)).toBe(true);
    }
  });
});
