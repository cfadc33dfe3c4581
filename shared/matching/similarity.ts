/**
 * String similarity for matching, written to allocate nothing per comparison:
 * a blocked linkage of 100,000 records compares tens of millions of names and
 * addresses, and the library versions allocate arrays on every call.
 */

let flagsA = new Uint8Array(64);
let flagsB = new Uint8Array(64);

function ensureFlags(length: number): void {
  if (flagsA.length >= length) return;
  flagsA = new Uint8Array(length * 2);
  flagsB = new Uint8Array(length * 2);
}

/** Jaro–Winkler similarity (Winkler 1990): 1 for equal strings, 0 for nothing in common; common prefixes of up to 4 count extra. */
export function jaroWinkler(a: string, b: string): number {
  if (a === b) return 1;
  const la = a.length;
  const lb = b.length;
  if (la === 0 || lb === 0) return 0;
  ensureFlags(Math.max(la, lb));
  flagsA.fill(0, 0, la);
  flagsB.fill(0, 0, lb);
  const range = Math.max(0, (Math.max(la, lb) >> 1) - 1);
  let matches = 0;
  for (let i = 0; i < la; i++) {
    const from = Math.max(0, i - range);
    const to = Math.min(lb, i + range + 1);
    const c = a.charCodeAt(i);
    for (let j = from; j < to; j++) {
      if (flagsB[j] === 0 && b.charCodeAt(j) === c) {
        flagsA[i] = 1;
        flagsB[j] = 1;
        matches++;
        break;
      }
    }
  }
  if (matches === 0) return 0;
  let transpositions = 0;
  for (let i = 0, j = 0; i < la; i++) {
    if (flagsA[i] === 0) continue;
    while (flagsB[j] === 0) j++;
    if (a.charCodeAt(i) !== b.charCodeAt(j)) transpositions++;
    j++;
  }
  const jaro = (matches / la + matches / lb + (matches - transpositions / 2) / matches) / 3;
  if (jaro < 0.7) return jaro;
  let prefix = 0;
  const limit = Math.min(4, la, lb);
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro);
}

let rows = [new Int32Array(64), new Int32Array(64), new Int32Array(64)];

/**
 * Edits between two strings (insertions, deletions, substitutions and swaps of
 * neighbours: the optimal string alignment distance), counted only as far as
 * `max`: anything further returns `max + 1`. With each string's
 * characterCounts, most pairs far apart are told without alignment.
 */
export function editDistance(a: string, b: string, max: number, countsA?: Uint8Array, countsB?: Uint8Array): number {
  if (a === b) return 0;
  let la = a.length;
  const lb = b.length;
  if (Math.abs(la - lb) > max) return max + 1;
  // Each edit changes the characters' counts by at most two: counts further apart than that need more edits.
  if (countsA && countsB) {
    let apart = 0;
    for (let i = 0; i < 36; i++) apart += countsA[i]! > countsB[i]! ? countsA[i]! - countsB[i]! : countsB[i]! - countsA[i]!;
    if (apart > 2 * max) return max + 1;
  }
  if (la === 0 || lb === 0) return Math.max(la, lb);
  if (rows[0]!.length <= lb) rows = [new Int32Array(lb * 2), new Int32Array(lb * 2), new Int32Array(lb * 2)];
  let prev2 = rows[0]!;
  let prev = rows[1]!;
  let cur = rows[2]!;
  for (let j = 0; j <= lb; j++) prev[j] = j;
  for (let i = 1; i <= la; i++) {
    cur[0] = i;
    let best = i;
    const ca = a.charCodeAt(i - 1);
    for (let j = 1; j <= lb; j++) {
      const cb = b.charCodeAt(j - 1);
      let d = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (ca === cb ? 0 : 1));
      if (i > 1 && j > 1 && ca === b.charCodeAt(j - 2) && a.charCodeAt(i - 2) === cb) d = Math.min(d, prev2[j - 2]! + 1);
      cur[j] = d;
      if (d < best) best = d;
    }
    if (best > max) return max + 1;
    const spare = prev2;
    prev2 = prev;
    prev = cur;
    cur = spare;
  }
  la = prev[lb]!;
  return la > max ? max + 1 : la;
}

/** How many of each letter and digit a string holds: what `mayReach` bounds Jaro–Winkler with. */
export function characterCounts(text: string): Uint8Array {
  const counts = new Uint8Array(36);
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 97 && c <= 122) counts[c - 97]!++;
    else if (c >= 48 && c <= 57) counts[c - 22]!++;
  }
  return counts;
}

/**
 * Whether Jaro–Winkler could reach `threshold`, from the characters two
 * strings share (no more can match) and their common prefix: most pairs of
 * different names fail this at once, and need no alignment.
 */
export function mayReach(a: string, countsA: Uint8Array, b: string, countsB: Uint8Array, threshold: number): boolean {
  let common = 0;
  for (let i = 0; i < 36; i++) common += countsA[i]! < countsB[i]! ? countsA[i]! : countsB[i]!;
  if (common === 0) return false;
  const jaro = (common / a.length + common / b.length + 1) / 3;
  let prefix = 0;
  const limit = Math.min(4, a.length, b.length);
  while (prefix < limit && a.charCodeAt(prefix) === b.charCodeAt(prefix)) prefix++;
  return jaro + prefix * 0.1 * (1 - jaro) >= threshold;
}
