import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import doubleMetaphone from 'talisman/phonetics/double-metaphone';
import damerauLevenshtein from 'talisman/metrics/damerau-levenshtein';

/**
 * Scores how likely two sets of demographics describe the same child, as a
 * tracing service does: each field agrees exactly, agrees in a tolerated way
 * (a nickname, a phonetic spelling, a one-letter typo, day and month of birth
 * swapped, a previous address), or disagrees. The score is the weighted share
 * of agreement over the fields the query gives, so 1.0 is exact.
 */
export interface Demographics {
  given?: string | null;
  family?: string | null;
  /** YYYY-MM-DD */
  dateOfBirth?: string | null;
  gender?: string | null;
  /** Current postcode first, then any previous ones. */
  postcodes?: readonly string[] | null;
}

export interface Score {
  /** 0 to 1, to three decimal places; 1 is an exact match on every field given. */
  score: number;
  /**
   * What the score rests on: `givenName`, `familyName`, `dateOfBirth`, `gender`, `postcode`, each alone when
   * exact, or with how it agreed: `givenName:nickname`, `familyName:phonetic`, `familyName:typo`,
   * `dateOfBirth:dayMonthSwapped`, `postcode:previousAddress`. `postcode:withheld` when the query had no
   * postcode to match on because it was withheld.
   */
  matchedOn: string[];
}

/** How much each field counts towards the score when the query gives it. */
export const FIELD_WEIGHTS = { given: 0.25, family: 0.3, dateOfBirth: 0.3, gender: 0.05, postcode: 0.15 } as const;
/** Credit for each tolerated kind of agreement (exact is 1). */
export const PARTIAL_CREDIT = { nickname: 0.9, phonetic: 0.85, typo: 0.8, dayMonthSwapped: 0.8, previousAddress: 0.85 } as const;

const nicknameGroups = loadNicknames(join(__dirname, 'nicknames.txt'));

function loadNicknames(path: string): Map<string, Set<number>> {
  const groups = new Map<string, Set<number>>();
  readFileSync(path, 'utf8').split('\n').forEach((line, i) => {
    if (line.startsWith('#')) return;
    for (const name of line.trim().split(/\s+/).filter(Boolean)) {
      const key = name.toLowerCase();
      if (!groups.has(key)) groups.set(key, new Set());
      groups.get(key)!.add(i);
    }
  });
  return groups;
}

/** Lower case, letters only (hyphens, apostrophes and spaces dropped): "O'Neil-Smith" and "oneilsmith" agree. */
export function normaliseName(name: string): string {
  return name.normalize('NFKD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z]/g, '');
}

export function normalisePostcode(postcode: string): string {
  return postcode.replace(/\s+/g, '').toUpperCase();
}

/** The date with day and month swapped, when that is a different real date; otherwise null. */
export function swapDayAndMonth(date: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!match) return null;
  const [, y, m, d] = match as unknown as [string, string, string, string];
  if (m === d || Number(d) > 12) return null;
  const swapped = `${y}-${d}-${m}`;
  const check = new Date(`${swapped}T00:00:00Z`);
  return !Number.isNaN(check.getTime()) && check.toISOString().slice(0, 10) === swapped ? swapped : null;
}

const phoneticCache = new Map<string, [string, string]>();
function phonetic(name: string): [string, string] {
  let codes = phoneticCache.get(name);
  if (!codes) {
    codes = doubleMetaphone(name);
    if (phoneticCache.size < 50_000) phoneticCache.set(name, codes);
  }
  return codes;
}

type Agreement = { credit: number; how?: string };

function compareNames(a: string, b: string, kind: 'given' | 'family'): Agreement {
  const x = normaliseName(a);
  const y = normaliseName(b);
  if (!x || !y) return { credit: 0 };
  if (x === y) return { credit: 1 };
  if (kind === 'given') {
    const gx = nicknameGroups.get(x);
    const gy = nicknameGroups.get(y);
    if (gx && gy && [...gx].some((g) => gy.has(g))) return { credit: PARTIAL_CREDIT.nickname, how: 'nickname' };
  }
  const [px, ax] = phonetic(x);
  const [py, ay] = phonetic(y);
  // Short given names share codes and differ by one letter too easily ("Ava" and "Eve", "Leo" and "Lea"):
  // tolerance needs four letters of a given name, three of a family name ("Cook" written "Cok").
  if (Math.min(x.length, y.length) < (kind === 'given' ? 4 : 3)) return { credit: 0 };
  if (px === py || (ax && ax === ay)) return { credit: PARTIAL_CREDIT.phonetic, how: 'phonetic' };
  if (damerauLevenshtein(x, y) === 1) return { credit: PARTIAL_CREDIT.typo, how: 'typo' };
  return { credit: 0 };
}

function compareDates(a: string, b: string): Agreement {
  if (a === b) return { credit: 1 };
  if (swapDayAndMonth(a) === b) return { credit: PARTIAL_CREDIT.dayMonthSwapped, how: 'dayMonthSwapped' };
  return { credit: 0 };
}

function comparePostcodes(query: readonly string[], candidate: readonly string[]): Agreement {
  const q = query.map(normalisePostcode);
  const c = candidate.map(normalisePostcode);
  if (q[0] && q[0] === c[0]) return { credit: 1 };
  if (q.some((p) => c.includes(p))) return { credit: PARTIAL_CREDIT.previousAddress, how: 'previousAddress' };
  return { credit: 0 };
}

/**
 * Scores `candidate` against `query`. Only the fields the query gives count;
 * a field the candidate lacks disagrees. `postcodeWithheld` marks a query
 * whose postcode exists but could not be used (a restricted child).
 */
export function scoreDemographics(query: Demographics, candidate: Demographics, options: { postcodeWithheld?: boolean } = {}): Score {
  let total = 0;
  let agreed = 0;
  const matchedOn: string[] = [];
  const count = (field: string, weight: number, agreement: Agreement) => {
    total += weight;
    agreed += weight * agreement.credit;
    if (agreement.credit > 0) matchedOn.push(agreement.how ? `${field}:${agreement.how}` : field);
  };
  if (query.given) count('givenName', FIELD_WEIGHTS.given, candidate.given ? compareNames(query.given, candidate.given, 'given') : { credit: 0 });
  if (query.family) count('familyName', FIELD_WEIGHTS.family, candidate.family ? compareNames(query.family, candidate.family, 'family') : { credit: 0 });
  if (query.dateOfBirth) count('dateOfBirth', FIELD_WEIGHTS.dateOfBirth, candidate.dateOfBirth ? compareDates(query.dateOfBirth, candidate.dateOfBirth) : { credit: 0 });
  if (query.gender) count('gender', FIELD_WEIGHTS.gender, { credit: candidate.gender && candidate.gender === query.gender ? 1 : 0 });
  if (query.postcodes?.length) count('postcode', FIELD_WEIGHTS.postcode, candidate.postcodes?.length ? comparePostcodes(query.postcodes, candidate.postcodes) : { credit: 0 });
  else if (options.postcodeWithheld) matchedOn.push('postcode:withheld');
  return { score: total === 0 ? 0 : Math.round((agreed / total) * 1000) / 1000, matchedOn };
}
