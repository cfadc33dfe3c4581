declare module 'talisman/phonetics/double-metaphone' {
  /** The primary and alternate Double Metaphone codes of a word. */
  export default function doubleMetaphone(word: string): [string, string];
}
declare module 'talisman/metrics/damerau-levenshtein' {
  /** Edits (insertions, deletions, substitutions, adjacent transpositions) between two strings. */
  export default function damerauLevenshtein(a: string, b: string): number;
}
