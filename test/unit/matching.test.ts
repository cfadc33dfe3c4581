import fc from 'fast-check';
import {
  addressKey,
  createBlockingIndex,
  createPatternCounter,
  decideMatch,
  DEFAULT_MODEL,
  DEFAULT_THRESHOLDS,
  decisionThresholds,
  editDistance,
  estimateModel,
  FIELD_LEVELS,
  jaroWinkler,
  nameKey,
  normaliseDate,
  prepare,
  scoreDemographics,
  swapDayAndMonth,
  type Demographics,
  type FieldName,
} from '../../shared';
import { createRandom } from '../../synthetic';

const at = (postcode: string, line?: string) => [{ postcode, lines: line ? [line] : [] }];
const noah: Demographics = { given: 'Noah', family: 'Williams', dateOfBirth: '2017-03-07', addresses: at('NS1 6RD', '27 Church Street') };

describe('string similarity', () => {
  it.each([
    ['martha', 'marhta', 0.961],
    ['dwayne', 'duane', 0.84],
    ['dixon', 'dicksonx', 0.813],
    ['jones', 'jones', 1],
    ['abc', 'xyz', 0],
  ])('gives Jaro–Winkler(%s, %s) = %s', (a, b, expected) => {
    expect(jaroWinkler(a, b)).toBeCloseTo(expected, 3);
  });

  it('counts edits, neighbours swapped as one, and stops counting past the limit', () => {
    expect(editDistance('williams', 'wiliams', 2)).toBe(1);
    expect(editDistance('williams', 'wiliamsn', 2)).toBe(2);
    expect(editDistance('smith', 'smtih', 2)).toBe(1);
    expect(editDistance('smith', 'jones', 2)).toBe(3);
  });

  it('keeps Jaro–Winkler between 0 and 1, symmetric, and 1 only for equal strings', () => {
    fc.assert(
      fc.property(fc.stringMatching(/^[a-z]{0,12}$/), fc.stringMatching(/^[a-z]{0,12}$/), (a, b) => {
        const s = jaroWinkler(a, b);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        expect(jaroWinkler(b, a)).toBeCloseTo(s, 12);
        if (a !== b) expect(s).toBeLessThan(1);
      }),
      { numRuns: 500 },
    );
  });
});

describe('the matching scorer', () => {
  it('scores an exact match 1 and names every field both hold', () => {
    expect(scoreDemographics(noah, { ...noah, addresses: at('ns16rd', '27 Church St.') })).toMatchObject({
      score: 1,
      matchedOn: ['givenName', 'familyName', 'dateOfBirth', 'postcode', 'addressLine'],
    });
  });

  it("names each field's level: nicknames, typos, sounds, swaps, dates a digit off, previous addresses", () => {
    const query: Demographics = { given: 'Thomas', family: 'Smith', dateOfBirth: '2015-01-02', addresses: at('NS1 1AA') };
    const m = (candidate: Demographics) => scoreDemographics(query, { ...query, ...candidate }).matchedOn;
    expect(m({ given: 'Tom' })).toContain('givenName:nickname');
    expect(m({ family: 'Smyth' })).toContain('familyName:typo');
    expect(m({ family: 'Smitth' })).toContain('familyName:typo');
    expect(m({ given: 'Thomsa' })).toContain('givenName:typo');
    expect(m({ given: 'Smith', family: 'Thomas' })).toEqual(expect.arrayContaining(['givenName:swapped', 'familyName:swapped']));
    expect(m({ dateOfBirth: '2015-02-01' })).toContain('dateOfBirth:dayMonthSwapped');
    expect(m({ dateOfBirth: '2015-01-03' })).toContain('dateOfBirth:oneDigit');
    expect(m({ dateOfBirth: '2051-01-02' })).toContain('dateOfBirth:oneDigit');
    expect(m({ addresses: [{ postcode: 'NS9 9ZZ' }, { postcode: 'NS1 1AA' }] })).toContain('postcode:previousAddress');
    expect(m({ addresses: at('NS1 1AB') })).toContain('postcode:typo');
    expect(m({ family: 'Jones' })).toContain('familyName:disagree');
  });

  it('counts a field either side lacks neither way, and an invalid date as missing', () => {
    const without = scoreDemographics(noah, { ...noah, dateOfBirth: null });
    expect(without.matchedOn).not.toContain('dateOfBirth');
    expect(scoreDemographics(noah, { ...noah, dateOfBirth: '2017-02-30' }).probability).toBeCloseTo(without.probability, 12);
    expect(normaliseDate('2017-02-30')).toBeNull();
  });

  it("gives a household's other children far less than the child, and the child with two errors less than with none", () => {
    const sibling = scoreDemographics(noah, { ...noah, given: 'Isla', dateOfBirth: '2014-05-02' });
    const twoErrors = scoreDemographics(noah, { ...noah, family: 'Wiliams', dateOfBirth: '2017-07-03' });
    expect(sibling.probability).toBeLessThan(DEFAULT_THRESHOLDS.match);
    expect(twoErrors.weight).toBeLessThan(scoreDemographics(noah, noah).weight);
    expect(twoErrors.weight).toBeGreaterThan(sibling.weight + 20);
  });

  it('keeps probabilities between 0 and 1, exact only for the same demographics, and never lower for more agreement', () => {
    const name = fc.stringMatching(/^[A-Z][a-z]{1,9}$/);
    const date = fc.date({ min: new Date('2008-01-01'), max: new Date('2026-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    const person = fc.record({ given: name, family: name, dateOfBirth: date, addresses: fc.constantFrom(at('NS1 1AA'), at('NS2 2BB', '4 Mill Lane')) });
    fc.assert(
      fc.property(person, person, (a, b) => {
        const s = scoreDemographics(a, b);
        expect(s.probability).toBeGreaterThanOrEqual(0);
        expect(s.probability).toBeLessThanOrEqual(1);
        expect(scoreDemographics(a, a).score).toBe(1);
        // Putting the query's own date of birth into the candidate can only add evidence.
        expect(scoreDemographics(a, { ...b, dateOfBirth: a.dateOfBirth }).weight).toBeGreaterThanOrEqual(s.weight);
      }),
      { numRuns: 500 },
    );
  });

  it('swaps day and month only into a real, different date', () => {
    expect(swapDayAndMonth('2017-03-07')).toBe('2017-07-03');
    expect(swapDayAndMonth('20170307')).toBe('20170703');
    expect(swapDayAndMonth('2017-03-03')).toBeNull();
    expect(swapDayAndMonth('2017-03-25')).toBeNull();
  });
});

describe('deciding', () => {
  it('takes its thresholds from the one rule, and refuses an impossible one', () => {
    expect(DEFAULT_THRESHOLDS).toEqual(decisionThresholds());
    expect(decisionThresholds(0.01)).toEqual({ match: 0.99, review: 0.01 });
    expect(() => decisionThresholds(0.7)).toThrow(TypeError);
  });

  it('never decides a match between two records that both reach the threshold, nor without a postcode', () => {
    const twin = { candidate: 'b', demographics: { ...noah } };
    const own = { candidate: 'a', demographics: { ...noah } };
    expect(decideMatch(noah, [own, twin], DEFAULT_THRESHOLDS).outcome).toBe('possible');
    expect(decideMatch(noah, [own], DEFAULT_THRESHOLDS).outcome).toBe('match');
    const withheld = decideMatch({ ...noah, addresses: [] }, [own], DEFAULT_THRESHOLDS, { postcodeWithheld: true });
    expect(withheld).toMatchObject({ outcome: 'possible', candidates: [{ candidate: 'a', matchedOn: expect.arrayContaining(['postcode:withheld']) }] });
  });

  it('proposes a record with two errors for a person to confirm, and drops one that only shares a surname', () => {
    const twoErrors = { candidate: 'noah', demographics: { ...noah, family: 'Wiliams', dateOfBirth: '2017-07-03' } };
    const stranger = { candidate: 'other', demographics: { given: 'Ava', family: 'Williams', dateOfBirth: '2012-11-20', addresses: at('NS4 2PQ') } };
    expect(decideMatch(noah, [twoErrors, stranger], DEFAULT_THRESHOLDS)).toMatchObject({ outcome: 'possible', candidates: [{ candidate: 'noah' }] });
    expect(decideMatch(noah, [stranger], DEFAULT_THRESHOLDS).outcome).toBe('none');
  });
});

describe('blocking', () => {
  const records = [noah, { given: 'Ava', family: 'Jones', dateOfBirth: '2012-01-05', addresses: at('NS3 4LP', '3 Oak Close') }].map(prepare);
  const index = createBlockingIndex(records);
  const finds = (query: Demographics) => [...index.candidates(prepare(query))].includes(0);

  it('still finds a record with any one field wrong, and with two of five codes alone', () => {
    expect(finds({ ...noah, dateOfBirth: '2016-01-01' })).toBe(true);
    expect(finds({ ...noah, addresses: at('NS7 9ZZ') })).toBe(true);
    expect(finds({ ...noah, given: 'Zachary', family: 'Price' })).toBe(true);
    expect(finds({ given: 'Noah', family: 'Williams', dateOfBirth: null, addresses: [] })).toBe(true);
    expect(finds({ given: 'Williams', family: 'Noah', dateOfBirth: null, addresses: [] })).toBe(true);
  });

  it('does not find a record that shares one code and nothing else', () => {
    expect(finds({ given: 'Noah', family: 'Price', dateOfBirth: '2012-09-09', addresses: at('NS5 1AA') })).toBe(false);
  });

  it('codes names and addresses as the SQL does: first letter and three sounds; number and first street word', () => {
    expect(nameKey('Williams')).toBe('w452');
    expect(nameKey('Wiliams')).toBe('w452');
    expect(nameKey("O'Neil-Smith")).toBe('o542');
    expect(addressKey('Flat 2, 14 Mill Lane')).toBe('14|m4');
    expect(addressKey('14 Millane')).toBe('14|m45');
  });
});

describe('estimating the model by EM, without labels', () => {
  it('recovers the m and u probabilities and the share of matches that made the pairs', () => {
    const fields: FieldName[] = ['givenName', 'familyName', 'dateOfBirth', 'address'];
    const truth = {
      prior: 0.05,
      m: fields.map((f) => FIELD_LEVELS[f].map((_, i) => (i === 0 ? 0.85 : 0.15 / (FIELD_LEVELS[f].length - 1)))),
      u: fields.map((f) => FIELD_LEVELS[f].map((_, i, all) => (i === all.length - 1 ? 0.8 : 0.2 / (all.length - 1)))),
    };
    const random = createRandom(11);
    const draw = (p: number[]) => {
      let r = random.next();
      for (let i = 0; i < p.length; i++) if ((r -= p[i]!) < 0) return i;
      return p.length - 1;
    };
    const counter = createPatternCounter(fields);
    const levels = new Int8Array(fields.length);
    for (let n = 0; n < 200_000; n++) {
      const match = random.chance(truth.prior);
      fields.forEach((_, f) => {
        levels[f] = random.chance(0.05) ? -1 : draw((match ? truth.m : truth.u)[f]!);
      });
      counter.add(levels);
    }
    const estimate = estimateModel(counter.result());
    expect(estimate.converged).toBe(true);
    expect(estimate.prior).toBeCloseTo(truth.prior, 2);
    estimate.fields.forEach((f, i) => {
      expect(f.m[0]).toBeCloseTo(truth.m[i]![0]!, 1);
      expect(f.u[f.u.length - 1]).toBeCloseTo(truth.u[i]![f.u.length - 1]!, 1);
    });
  });

  it('ships a model with a level for every field it knows', () => {
    for (const f of DEFAULT_MODEL.fields) expect(f.m).toHaveLength(FIELD_LEVELS[f.field].length);
  });
});
