/**
 * How each demographic field is put in one form before it is compared, so that
 * differences of case, accents, spacing, punctuation and common abbreviations
 * are never counted as disagreement.
 */

/** Lower case, letters only (hyphens, apostrophes and spaces dropped): "O'Neil-Smith" and "oneilsmith" agree. */
export function normaliseName(name: string): string {
  return stripAccents(name)
    .toLowerCase()
    .replace(/[^a-z]/g, '');
}

/** The parts of a name written with spaces or hyphens ("Lillie-Hinrichs" has two), each normalised. */
export function nameParts(name: string): string[] {
  return stripAccents(name)
    .toLowerCase()
    .split(/[^a-z']+/)
    .map((p) => p.replace(/'/g, ''))
    .filter(Boolean);
}

export function normalisePostcode(postcode: string): string {
  return postcode.replace(/[^0-9A-Za-z]/g, '').toUpperCase();
}

/**
 * A postcode less its last two characters and less its last three: for a UK
 * postcode, its sector ("NS16RD" → "NS16") and district ("NS1"). Codes of other
 * countries are cut the same way, which keeps neighbouring codes together
 * wherever the digits run from coarse to fine.
 */
export function postcodeSector(normalised: string): string | null {
  return normalised.length >= 4 ? normalised.slice(0, -2) : null;
}

export function postcodeDistrict(normalised: string): string | null {
  return normalised.length >= 4 ? normalised.slice(0, -3) : null;
}

const ABBREVIATIONS: Record<string, string> = {
  st: 'street',
  str: 'street',
  rd: 'road',
  ave: 'avenue',
  av: 'avenue',
  ln: 'lane',
  cl: 'close',
  cres: 'crescent',
  cr: 'crescent',
  dr: 'drive',
  gr: 'grove',
  gro: 'grove',
  gdns: 'gardens',
  pl: 'place',
  ct: 'court',
  crt: 'court',
  sq: 'square',
  tce: 'terrace',
  terr: 'terrace',
  pde: 'parade',
  hwy: 'highway',
  cct: 'circuit',
  cir: 'circuit',
  wy: 'way',
  wk: 'walk',
  mt: 'mount',
  nth: 'north',
  sth: 'south',
  e: 'east',
  w: 'west',
  n: 'north',
  s: 'south',
  flt: 'flat',
  apt: 'flat',
  apartment: 'flat',
  unit: 'flat',
  vlge: 'village',
};

/** An address line in lower case, words only, with the usual abbreviations written out ("14 Mill Ln." → "14 mill lane"). */
export function normaliseAddressLine(line: string): string {
  return stripAccents(line)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, ' ')
    .trim()
    .split(' ')
    .filter(Boolean)
    .map((word) => ABBREVIATIONS[word] ?? word)
    .join(' ');
}

/** A normalised address line split into the house number (digits only, when it has one) and the street. */
export function splitHouseNumber(line: string): { number: string | null; street: string } {
  const numbers: string[] = [];
  const words = line.split(' ').filter((w) => {
    if (/^\d+[a-z]?$/.test(w)) {
      numbers.push(w.replace(/[a-z]$/, ''));
      return false;
    }
    return w !== 'flat';
  });
  return { number: numbers.length ? numbers.join('/') : null, street: words.join(' ') };
}

/**
 * A date of birth as eight digits YYYYMMDD, from `YYYY-MM-DD` or `YYYYMMDD`;
 * null when it is not a real date (which then counts as missing, never as
 * disagreement).
 */
export function normaliseDate(date: string): string | null {
  const digits = date.trim().replace(/-/g, '');
  if (!/^\d{8}$/.test(digits)) return null;
  return isRealDate(digits) ? digits : null;
}

function isRealDate(digits: string): boolean {
  const y = Number(digits.slice(0, 4));
  const m = Number(digits.slice(4, 6));
  const d = Number(digits.slice(6, 8));
  if (y < 1800 || m < 1 || m > 12 || d < 1) return false;
  const days = [31, y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
  return d <= days;
}

/** The date with day and month swapped, when that is a different real date; otherwise null. Either form in, the same form out. */
export function swapDayAndMonth(date: string): string | null {
  const dashed = date.includes('-');
  const digits = normaliseDate(date);
  if (!digits) return null;
  const swapped = `${digits.slice(0, 4)}${digits.slice(6, 8)}${digits.slice(4, 6)}`;
  if (swapped === digits || !isRealDate(swapped)) return null;
  return dashed ? `${swapped.slice(0, 4)}-${swapped.slice(4, 6)}-${swapped.slice(6)}` : swapped;
}

function stripAccents(text: string): string {
  return text.normalize('NFKD').replace(/[\u0300-\u036f]/g, '');
}
