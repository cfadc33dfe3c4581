import fc from 'fast-check';
import { decideMatch, scoreDemographics, swapDayAndMonth } from '../../shared';
import { DEFAULT_THRESHOLDS } from '../../subgraphs/housing/store';
import { buildLabelledSet } from '../../synthetic';
import { evaluateMatching } from '../../tools/matching/evaluate';

const noah = { given: 'Noah', family: 'Williams', dateOfBirth: '2017-03-07', postcodes: ['NS1 6RD'] };

describe('the matching scorer', () => {
  it('scores an exact match 1 and names every field', () => {
    expect(scoreDemographics(noah, { ...noah, postcodes: ['ns16rd'] })).toEqual({ score: 1, matchedOn: ['givenName', 'familyName', 'dateOfBirth', 'postcode'] });
  });

  it('tolerates nicknames, phonetic spellings, one-letter typos, swapped day and month and previous addresses, and says which', () => {
    const m = (candidate: object) => scoreDemographics({ given: 'Thomas', family: 'Smith', dateOfBirth: '2015-01-02', postcodes: ['NS1 1AA'] }, candidate).matchedOn;
    expect(m({ given: 'Tom', family: 'Smith', dateOfBirth: '2015-01-02', postcodes: ['NS1 1AA'] })).toContain('givenName:nickname');
    expect(m({ given: 'Thomas', family: 'Smyth', dateOfBirth: '2015-01-02', postcodes: ['NS1 1AA'] })).toContain('familyName:phonetic');
    expect(m({ given: 'Thomas', family: 'Snith', dateOfBirth: '2015-01-02', postcodes: ['NS1 1AA'] })).toContain('familyName:typo');
    expect(m({ given: 'Thomas', family: 'Smith', dateOfBirth: '2015-02-01', postcodes: ['NS1 1AA'] })).toContain('dateOfBirth:dayMonthSwapped');
    expect(m({ given: 'Thomas', family: 'Smith', dateOfBirth: '2015-01-02', postcodes: ['NS9 9ZZ', 'NS1 1AA'] })).toContain('postcode:previousAddress');
  });

  it('keeps every score between 0 and 1, and exact only for the same demographics', () => {
    const name = fc.stringMatching(/^[A-Z][a-z]{1,9}$/);
    const date = fc.date({ min: new Date('2008-01-01'), max: new Date('2026-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    const person = fc.record({ given: name, family: name, dateOfBirth: date, postcodes: fc.constantFrom(['NS1 1AA'], ['NS2 2BB']) });
    fc.assert(fc.property(person, person, (a, b) => {
      const { score } = scoreDemographics(a, b);
      expect(score).toBeGreaterThanOrEqual(0);
      expect(score).toBeLessThanOrEqual(1);
      expect(scoreDemographics(a, a).score).toBe(1);
    }), { numRuns: 500 });
  });

  it('swaps day and month only into a real, different date', () => {
    expect(swapDayAndMonth('2017-03-07')).toBe('2017-07-03');
    expect(swapDayAndMonth('2017-03-03')).toBeNull();
    expect(swapDayAndMonth('2017-03-25')).toBeNull();
  });

  it('never decides a match between two records that both reach the threshold, nor without a postcode', () => {
    const twin = { candidate: 'b', demographics: { ...noah } };
    const own = { candidate: 'a', demographics: { ...noah } };
    expect(decideMatch(noah, [own, twin], DEFAULT_THRESHOLDS).outcome).toBe('possible');
    expect(decideMatch(noah, [own], DEFAULT_THRESHOLDS).outcome).toBe('match');
    const withheld = decideMatch({ ...noah, postcodes: [] }, [own], DEFAULT_THRESHOLDS, { postcodeWithheld: true });
    expect(withheld).toMatchObject({ outcome: 'possible', candidates: [{ candidate: 'a', matchedOn: expect.arrayContaining(['postcode:withheld']) }] });
  });
});

describe('matching evaluation on a small deterministic labelled set', () => {
  const set = buildLabelledSet({ children: 8000, seed: 3, asOf: '2026-11-25' });

  it('is the same set for the same seed', () => {
    expect(buildLabelledSet({ children: 8000, seed: 3, asOf: '2026-11-25' }).records.slice(0, 50)).toEqual(set.records.slice(0, 50));
  });

  it('meets the targets at the configured thresholds: precision ≥ 0.995, recall ≥ 0.95, possible band ≥ 99 % of the rest', () => {
    expect(set.records.length).toBeGreaterThan(2000);
    expect(set.records.some((r) => r.kind === 'twin')).toBe(true);
    expect(set.records.some((r) => r.kind === 'same name and date of birth elsewhere')).toBe(true);
    const e = evaluateMatching(set, DEFAULT_THRESHOLDS);
    expect(e.wrong).toEqual([]);
    expect(e.precision).toBeGreaterThanOrEqual(0.995);
    expect(e.recall).toBeGreaterThanOrEqual(0.95);
    expect(e.possibleCatch).toBeGreaterThanOrEqual(0.99);
  });

  it('loses precision when the match threshold is set too low, so the evaluation can fail', () => {
    expect(evaluateMatching(set, { match: 0.8, review: 0.7 }).precision).toBeLessThan(0.995);
  });
});
