/**
 * Keys that put records likely to be the same person in the same block. Each
 * is computed the same way here and in the agencies' SQL (the `name_key`
 * function of the identity and housing migrations), so that the blocks the
 * evaluation measures are the blocks the subgraphs query.
 */

const SOUNDEX = 'abcdefghijklmnopqrstuvwxyz';
const SOUNDEX_DIGITS = '01230120022455012623010202';

/**
 * A Soundex-style code of a name: its first letter and the codes of the next
 * three consonant sounds ("Williams" → "w452", "Wiliams" too; "Smith" and
 * "Smyth" → "s53"). Letters other than a–z are dropped, as in the SQL.
 */
export function nameKey(name: string): string {
  const n = name.toLowerCase().replace(/[^a-z]/g, '');
  if (!n) return '';
  const spelt = n[0]! + n.slice(1).replace(/[hw]/g, '');
  let digits = '';
  let last = '';
  for (const ch of spelt) {
    const d = SOUNDEX_DIGITS[SOUNDEX.indexOf(ch)]!;
    if (d !== last) digits += d;
    last = d;
  }
  return n[0]! + digits.slice(1).replace(/0/g, '').slice(0, 3);
}

/**
 * A key for the first line of an address: its house number and the code of
 * the first word of the street ("Flat 2, 14 Mill Lane" → "14|m4"), so that
 * abbreviations, a missing space ("millane") or a mistyped letter later in the
 * line keep the key. A flat's or unit's own number at the start is passed over.
 */
export function addressKey(line: string): string | null {
  const rest = line.toLowerCase().replace(/^\s*(flat|unit|apartment|apt)\s*[0-9a-z]*[\s,]*/, '');
  const word = /[a-z]+/.exec(rest)?.[0];
  if (!word) return null;
  return `${/[0-9]+/.exec(rest)?.[0] ?? ''}|${nameKey(word)}`;
}
