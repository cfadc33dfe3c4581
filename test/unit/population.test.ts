import { isValidNhsNumber } from '../../shared';
import { ageOn, createPopulation } from '../../synthetic';

const asOf = '2026-11-25';

describe('the synthetic population', () => {
  const population = createPopulation({ size: 20_000, seed: 7, asOf });
  const share = (predicate: (c: (typeof population.children)[number]) => boolean) => population.children.filter(predicate).length / population.children.length;

  it('is the same for the same seed and different for another', () => {
    const again = createPopulation({ size: 500, seed: 7, asOf });
    const same = createPopulation({ size: 500, seed: 7, asOf });
    const other = createPopulation({ size: 500, seed: 8, asOf });
    expect(JSON.stringify(same)).toBe(JSON.stringify(again));
    expect(JSON.stringify(other.children.slice(5))).not.toBe(JSON.stringify(again.children.slice(5)));
  });

  it('has unique, valid, synthetic-range NHS numbers for children aged 0–17', () => {
    const numbers = new Set(population.children.map((c) => c.nhsNumber));
    expect(numbers.size).toBe(population.children.length);
    for (const child of population.children) {
      expect(child.nhsNumber.startsWith('999') && isValidNhsNumber(child.nhsNumber)).toBe(true);
      const age = ageOn(child.dateOfBirth, asOf);
      expect(age >= 0 && age <= 17).toBe(true);
    }
  });

  it.each([
    ['child in need', (c: any) => c.socialCare?.status === 'CHILD_IN_NEED', 0.05],
    ['child protection plan', (c: any) => c.socialCare?.status === 'CHILD_PROTECTION_PLAN', 0.01],
    ['looked after', (c: any) => c.socialCare?.status === 'LOOKED_AFTER', 0.007],
    ['at a school', (c: any) => c.education !== null, 0.85],
  ])('has about the expected share %s', (_label, predicate, expected) => {
    expect(Math.abs(share(predicate) - expected)).toBeLessThan(expected * 0.2);
  });

  it('has about 30 % of households in social housing', () => {
    const social = population.households.filter((h) => h.tenancy).length / population.households.length;
    expect(social).toBeGreaterThan(0.26);
    expect(social).toBeLessThan(0.34);
  });

  it('gives the landlord realistic noise in some of its records of children', () => {
    const housed = population.children.filter((c) => c.housing);
    const noisy = (kind: string) => housed.filter((c) => c.housing!.noise.includes(kind)).length;
    for (const kind of ['familiar name', 'misspelt family name', 'day and month swapped', 'previous address']) expect(noisy(kind)).toBeGreaterThan(10);
    expect(housed.filter((c) => c.housing!.noise.length === 0).length / housed.length).toBeGreaterThan(0.75);
  });

  it('keeps the five demo children as described', () => {
    const [amelia, leo, maya, noah, isla] = population.children;
    expect([amelia, leo, maya, noah, isla].map((c) => `${c!.given} ${c!.family} ${ageOn(c!.dateOfBirth, asOf)}`)).toEqual([
      'Amelia Hart 7',
      'Leo Hart 4',
      'Maya Okafor 12',
      'Noah Williams 9',
      'Isla Brown 10',
    ]);
    expect(amelia!.householdId).toBe(leo!.householdId);
    expect(maya!.restricted).toBe(true);
    expect(noah!.housing).toMatchObject({ family: 'Wiliams' });
    expect(noah!.housing!.dateOfBirth.slice(5)).toBe(`${noah!.dateOfBirth.slice(8)}-${noah!.dateOfBirth.slice(5, 7)}`);
    expect(isla!.health.consentToShareWithSchool).toBe(true);
  });
});
