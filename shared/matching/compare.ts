import doubleMetaphone from 'talisman/phonetics/double-metaphone';
import { addressKey, nameKey } from './blocking-keys';
import { nicknameGroupsOf } from './nicknames';
import {
  nameParts,
  normaliseAddressLine,
  normaliseDate,
  normaliseName,
  normalisePostcode,
  postcodeDistrict,
  postcodeSector,
  splitHouseNumber,
} from './normalise';
import { characterCounts, editDistance, jaroWinkler, mayReach } from './similarity';

/** One address: its lines (first line: number and street), town, region (county or state) and postcode. */
export interface Address {
  lines?: readonly (string | null | undefined)[] | null;
  town?: string | null;
  region?: string | null;
  postcode?: string | null;
}

/** What matching compares. Every field is optional: a field either side lacks counts neither way. */
export interface Demographics {
  given?: string | null;
  family?: string | null;
  /** YYYY-MM-DD (or YYYYMMDD). */
  dateOfBirth?: string | null;
  gender?: string | null;
  /** Current address first, then any previous ones. */
  addresses?: readonly Address[] | null;
}

/**
 * Each field and its agreement levels, strongest first. A pair of records gets
 * one level per field, the first that applies; a field either side lacks gets
 * none. `exact` is named bare in `matchedOn`, the others as `field:level`.
 */
export const FIELD_LEVELS = {
  givenName: ['exact', 'nickname', 'typo', 'phonetic', 'close', 'swapped', 'disagree'],
  familyName: ['exact', 'typo', 'phonetic', 'close', 'partial', 'swapped', 'disagree'],
  dateOfBirth: ['exact', 'dayMonthSwapped', 'oneDigit', 'disagree'],
  gender: ['exact', 'disagree'],
  address: ['exact', 'previousAddress', 'otherLine', 'lineOnly', 'postcodeTypo', 'sameStreet', 'sameSector', 'sameDistrict', 'disagree'],
  addressLine2: ['exact', 'close', 'disagree'],
  town: ['exact', 'close', 'disagree'],
  region: ['exact', 'close', 'disagree'],
} as const;

export type FieldName = keyof typeof FIELD_LEVELS;
export const FIELD_NAMES = Object.keys(FIELD_LEVELS) as FieldName[];
/** The level a field gets when either side lacks it: it is left out of the likelihood. */
export const MISSING = -1;

export interface PreparedName {
  text: string;
  counts: Uint8Array;
  parts: readonly string[];
  codes: readonly [string, string];
  nicknames: readonly number[];
  key: string;
}
export interface PreparedAddress {
  postcode: string | null;
  postcodeCounts: Uint8Array | null;
  sector: string | null;
  district: string | null;
  /** The first line's house number (digits only) when it has one. */
  number: string | null;
  /** The first line, its street (the line less its numbers), the second line, town and region, normalised, without spaces, and their characters counted (see mayReach). */
  lineText: Squashed | null;
  streetText: Squashed | null;
  line2Text: Squashed | null;
  townText: Squashed | null;
  regionText: Squashed | null;
  /** The blocking key of the first line (see addressKey). */
  key: string | null;
}
export interface Squashed {
  text: string;
  counts: Uint8Array;
}
const squashed = (text: string | null): Squashed | null => {
  if (!text) return null;
  const squash = text.replace(/ /g, '');
  return squash ? { text: squash, counts: characterCounts(squash) } : null;
};

/** A record with everything the comparisons need worked out once, so that comparing a pair computes nothing twice. */
export interface Prepared {
  given: PreparedName | null;
  family: PreparedName | null;
  /** YYYYMMDD, or null when missing or not a real date. */
  dob: string | null;
  gender: string | null;
  addresses: readonly PreparedAddress[];
}

export function prepare(record: Demographics): Prepared {
  return {
    given: prepareName(record.given),
    family: prepareName(record.family),
    dob: record.dateOfBirth ? normaliseDate(record.dateOfBirth) : null,
    gender: record.gender && !/^(unknown|u|0|9|other|not known)$/i.test(record.gender.trim()) ? record.gender.trim().toUpperCase().slice(0, 1) : null,
    addresses: (record.addresses ?? []).map(prepareAddress),
  };
}

function prepareName(name: string | null | undefined): PreparedName | null {
  const text = name ? normaliseName(name) : '';
  if (!text) return null;
  return { text, counts: characterCounts(text), parts: nameParts(name!), codes: doubleMetaphone(text), nicknames: nicknameGroupsOf(text), key: nameKey(name!) };
}

function prepareAddress(address: Address): PreparedAddress {
  const postcode = address.postcode ? normalisePostcode(address.postcode) || null : null;
  const raw = address.lines?.[0] ?? null;
  const [first, second] = (address.lines ?? []).map((l) => (l ? normaliseAddressLine(l) : '')).concat(['', '']);
  const { number, street } = splitHouseNumber(first!);
  const clean = (text: string | null | undefined) => (text ? normaliseAddressLine(text) || null : null);
  return {
    postcode,
    postcodeCounts: postcode ? characterCounts(postcode.toLowerCase()) : null,
    sector: postcode && postcodeSector(postcode),
    district: postcode && postcodeDistrict(postcode),
    number,
    key: raw ? addressKey(raw) : null,
    lineText: squashed(first || null),
    streetText: squashed(street || null),
    line2Text: squashed(second || null),
    townText: squashed(clean(address.town)),
    regionText: squashed(clean(address.region)),
  };
}

const level = <F extends FieldName>(field: F, name: (typeof FIELD_LEVELS)[F][number]) => (FIELD_LEVELS[field] as readonly string[]).indexOf(name);

/**
 * Compares two prepared records, writing each field's level (an index into
 * FIELD_LEVELS, or MISSING) into `out` in the order of `fields`.
 */
export function compareRecords(a: Prepared, b: Prepared, fields: readonly FieldName[], out: Int8Array): Int8Array {
  for (let i = 0; i < fields.length; i++) out[i] = COMPARATORS[fields[i]!](a, b);
  return out;
}

/** One field's level for a pair (an index into FIELD_LEVELS, or MISSING). */
export function compareField(a: Prepared, b: Prepared, field: FieldName): number {
  return COMPARATORS[field](a, b);
}

const COMPARATORS: Record<FieldName, (a: Prepared, b: Prepared) => number> = {
  givenName: (a, b) => compareNames(a.given, b.given, b.family, true),
  familyName: (a, b) => compareNames(a.family, b.family, b.given, false),
  dateOfBirth: (a, b) => compareDates(a.dob, b.dob),
  gender: (a, b) => (a.gender && b.gender ? (a.gender === b.gender ? 0 : 1) : MISSING),
  address: (a, b) => jointAddress(comparePostcodes(a, b), compareLines(a, b)),
  addressLine2: (a, b) => compareText(a, b, 'line2'),
  town: (a, b) => compareText(a, b, 'town'),
  region: (a, b) => compareText(a, b, 'region'),
};

const L = {
  given: {
    nickname: level('givenName', 'nickname'),
    typo: level('givenName', 'typo'),
    phonetic: level('givenName', 'phonetic'),
    close: level('givenName', 'close'),
    swapped: level('givenName', 'swapped'),
    disagree: level('givenName', 'disagree'),
  },
  family: {
    typo: level('familyName', 'typo'),
    phonetic: level('familyName', 'phonetic'),
    close: level('familyName', 'close'),
    partial: level('familyName', 'partial'),
    swapped: level('familyName', 'swapped'),
    disagree: level('familyName', 'disagree'),
  },
};

function compareNames(a: PreparedName | null, b: PreparedName | null, bOther: PreparedName | null, given: boolean): number {
  if (!a || !b) return MISSING;
  if (a.text === b.text) return 0;
  const levels = given ? L.given : L.family;
  if (given && a.nicknames.length > 0 && sharesNickname(a, b)) return L.given.nickname;
  const shortest = Math.min(a.text.length, b.text.length);
  // Short names differ by one letter too easily ("Ava" and "Eve", "Leo" and "Lea"): tolerance needs four letters.
  const edits = shortest >= 4 ? editDistance(a.text, b.text, 2, a.counts, b.counts) : 3;
  if (edits <= 1) return levels.typo;
  if (shortest >= 3 && (a.codes[0] === b.codes[0] || (a.codes[1] !== '' && a.codes[1] === b.codes[1]))) return levels.phonetic;
  if (edits <= 2 || (shortest >= 4 && mayReach(a.text, a.counts, b.text, b.counts, 0.88) && jaroWinkler(a.text, b.text) >= 0.88)) return levels.close;
  if (!given && sharesPart(a, b)) return L.family.partial;
  if (bOther && (bOther.text === a.text || (shortest >= 4 && editDistance(a.text, bOther.text, 1, a.counts, bOther.counts) <= 1))) return levels.swapped;
  return levels.disagree;
}

function sharesNickname(a: PreparedName, b: PreparedName): boolean {
  for (const g of a.nicknames) if (b.nicknames.includes(g)) return true;
  return false;
}

function sharesPart(a: PreparedName, b: PreparedName): boolean {
  if (a.parts.length < 2 && b.parts.length < 2) return false;
  for (const p of a.parts) if (p.length >= 3 && b.parts.includes(p)) return true;
  return false;
}

const DATE = { swapped: level('dateOfBirth', 'dayMonthSwapped'), oneDigit: level('dateOfBirth', 'oneDigit'), disagree: level('dateOfBirth', 'disagree') };

function compareDates(a: string | null, b: string | null): number {
  if (!a || !b) return MISSING;
  if (a === b) return 0;
  let differing = 0;
  let first = -1;
  for (let i = 0; i < 8; i++)
    if (a.charCodeAt(i) !== b.charCodeAt(i)) {
      differing++;
      if (first < 0) first = i;
    }
  if (differing === 1) return DATE.oneDigit;
  // Day and month swapped: YYYYMMDD against YYYYDDMM.
  if (
    first >= 4 &&
    a.charCodeAt(4) === b.charCodeAt(6) &&
    a.charCodeAt(5) === b.charCodeAt(7) &&
    a.charCodeAt(6) === b.charCodeAt(4) &&
    a.charCodeAt(7) === b.charCodeAt(5)
  )
    return DATE.swapped;
  if (differing === 2 && a.charCodeAt(first) === b.charCodeAt(first + 1) && a.charCodeAt(first + 1) === b.charCodeAt(first)) return DATE.oneDigit;
  return DATE.disagree;
}

/** How postcodes agree (the best of any two addresses): the `postcode` part of `matchedOn`. */
export const POSTCODE_LEVELS = ['exact', 'previousAddress', 'typo', 'sameSector', 'sameDistrict', 'disagree'] as const;
/** How first address lines agree: the `addressLine` part of `matchedOn`. */
export const LINE_LEVELS = ['exact', 'previousAddress', 'close', 'sameStreet', 'disagree'] as const;
const POSTCODE = { previous: 1, typo: 2, sector: 3, district: 4, disagree: 5 };

export function comparePostcodes(a: Prepared, b: Prepared): number {
  let best = MISSING;
  for (let i = 0; i < a.addresses.length; i++) {
    const x = a.addresses[i]!;
    if (!x.postcode) continue;
    for (let j = 0; j < b.addresses.length; j++) {
      const y = b.addresses[j]!;
      if (!y.postcode) continue;
      let l: number;
      if (x.postcode === y.postcode) l = i === 0 && j === 0 ? 0 : POSTCODE.previous;
      else if (editDistance(x.postcode, y.postcode, 1, x.postcodeCounts!, y.postcodeCounts!) <= 1) l = POSTCODE.typo;
      else if (x.sector !== null && x.sector === y.sector) l = POSTCODE.sector;
      else if (x.district !== null && x.district === y.district) l = POSTCODE.district;
      else l = POSTCODE.disagree;
      if (best === MISSING || l < best) best = l;
    }
  }
  return best;
}

const LINE = { previous: 1, close: 2, street: 3, disagree: 4 };

export function compareLines(a: Prepared, b: Prepared): number {
  let best = MISSING;
  for (let i = 0; i < a.addresses.length; i++) {
    const x = a.addresses[i]!;
    const xl = x.lineText;
    if (!xl) continue;
    for (let j = 0; j < b.addresses.length; j++) {
      const y = b.addresses[j]!;
      const yl = y.lineText;
      if (!yl) continue;
      let l: number;
      if (xl.text === yl.text) l = i === 0 && j === 0 ? 0 : LINE.previous;
      // "Flat 3, 14 Mill Lane" is at "14 Mill Lane": one line ending with the whole of the other is the same building.
      else if (Math.min(xl.text.length, yl.text.length) >= 6 && (xl.text.endsWith(yl.text) || yl.text.endsWith(xl.text))) l = LINE.close;
      else if (x.number === y.number && alike(x.lineText, y.lineText, 0.9)) l = LINE.close;
      else if (alike(x.streetText, y.streetText, 0.9)) l = LINE.street;
      else if (linesSwapped(x, y)) l = LINE.close;
      else l = LINE.disagree;
      if (best === MISSING || l < best) best = l;
    }
  }
  return best;
}

const A = Object.fromEntries(FIELD_LEVELS.address.map((name, i) => [name, i])) as Record<(typeof FIELD_LEVELS.address)[number], number>;

/**
 * Postcode and first line as one comparison, so that a shared address counts
 * once: everyone in a household shares both, and counting each would take
 * siblings for the same child. A part either side lacks is no evidence, as a
 * missing field is: the address is then judged on the part both hold.
 */
export function jointAddress(postcode: number, line: number): number {
  if (postcode === MISSING && line === MISSING) return MISSING;
  const samePostcode = postcode === 0 || postcode === POSTCODE.previous;
  const lineAgrees = line === 0 || line === LINE.previous || line === LINE.close;
  const previous = postcode === POSTCODE.previous || line === LINE.previous;
  if ((samePostcode || postcode === MISSING) && (lineAgrees || line === MISSING)) return previous ? A.previousAddress : A.exact;
  if (samePostcode) return A.otherLine;
  if (lineAgrees) return A.lineOnly;
  if (postcode === POSTCODE.typo) return A.postcodeTypo;
  if (line === LINE.street) return A.sameStreet;
  if (postcode === POSTCODE.sector) return A.sameSector;
  if (postcode === POSTCODE.district) return A.sameDistrict;
  return A.disagree;
}

/** Equal without spaces, or Jaro–Winkler at least `threshold`. */
function alike(a: Squashed | null, b: Squashed | null, threshold: number): boolean {
  if (a === null || b === null) return false;
  return a.text === b.text || (mayReach(a.text, a.counts, b.text, b.counts, threshold) && jaroWinkler(a.text, b.text) >= threshold);
}

/** The first and second lines written the other way round (a building or estate name first, the street second, or the reverse). */
function linesSwapped(x: PreparedAddress, y: PreparedAddress): boolean {
  return alike(x.streetText, y.line2Text, 0.9) || alike(x.line2Text, y.streetText, 0.9);
}

const TEXT = { line2: 'line2Text', town: 'townText', region: 'regionText' } as const;

/** Exact (spaces aside), close, or disagree: the three levels of the address's other lines, town and region. */
function compareText(a: Prepared, b: Prepared, key: 'line2' | 'town' | 'region'): number {
  const field = TEXT[key];
  let best = MISSING;
  for (const x of a.addresses) {
    const p = x[field];
    if (!p) continue;
    for (const y of b.addresses) {
      const q = y[field];
      if (!q) continue;
      const l = p.text === q.text ? 0 : alike(p, q, 0.88) || (key === 'line2' && linesSwapped(x, y)) ? 1 : 2;
      if (best === MISSING || l < best) best = l;
    }
  }
  return best;
}
