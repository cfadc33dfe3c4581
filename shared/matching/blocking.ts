import { swapDayAndMonth } from './normalise';
import type { Prepared } from './compare';

/**
 * A blocking rule: the keys under which a record is filed, and the keys a
 * query looks under. A pair is a candidate when any rule gives both a common
 * key, so a record with one or two bad fields is still found through the others.
 */
export interface BlockingRule {
  name: string;
  keys(record: Prepared, asQuery: boolean): string[];
}

const compact = (keys: (string | null | undefined)[]) => [...new Set(keys.filter((k): k is string => Boolean(k)))];

/** The codes blocking pairs up: given and family names' codes, month of birth (year and month), postcode sector, and the address key. */
const CODES: Record<'givenName' | 'familyName' | 'monthOfBirth' | 'postcodeSector' | 'address', (r: Prepared) => string[]> = {
  givenName: (r) => compact([r.given?.key]),
  familyName: (r) => compact([r.family?.key]),
  monthOfBirth: (r) => compact([r.dob ? r.dob.slice(0, 6) : null]),
  postcodeSector: (r) => compact(r.addresses.map((a) => a.sector)),
  address: (r) => compact(r.addresses.map((a) => a.key)),
};
type Code = keyof typeof CODES;

function pairRule(a: Code, b: Code): BlockingRule {
  return {
    name: `${a}+${b}`,
    keys: (r) => {
      const left = CODES[a](r);
      const right = CODES[b](r);
      // Given and family names in either order, so that swapped names still meet.
      if (a === 'givenName' && b === 'familyName') return compact(left.flatMap((x) => right.map((y) => [x, y].sort().join('|'))));
      return left.flatMap((x) => right.map((y) => `${x}|${y}`));
    },
  };
}

const codes = Object.keys(CODES) as Code[];

/**
 * The rules the subgraphs' SQL applies too, unioned: the same date of birth
 * (as given, or with day and month swapped); the same postcode (current or
 * previous); or any two of the five codes the same. Any two of five means a
 * record with up to three of them wrong or missing is still a candidate, while
 * no rule leans on one common value alone (a town, a month of births).
 */
export const BLOCKING_RULES: readonly BlockingRule[] = [
  { name: 'dateOfBirth', keys: (r, q) => compact(r.dob ? [r.dob, q ? swapDayAndMonth(r.dob) : null] : []) },
  { name: 'postcode', keys: (r) => compact(r.addresses.map((a) => a.postcode)) },
  ...codes.flatMap((a, i) => codes.slice(i + 1).map((b) => pairRule(a, b))),
];

export interface BlockingIndex {
  readonly rules: readonly BlockingRule[];
  readonly size: number;
  /** The records a query shares a key with, each once, in no particular order. */
  candidates(query: Prepared): Int32Array;
}

/** Files records under every rule's keys, for blocked linkage in memory (the evaluation and the benchmark). */
export function createBlockingIndex(records: readonly Prepared[], rules: readonly BlockingRule[] = BLOCKING_RULES): BlockingIndex {
  const blocks = rules.map(() => new Map<string, number[]>());
  records.forEach((record, i) => {
    rules.forEach((rule, r) => {
      for (const key of rule.keys(record, false)) {
        const block = blocks[r]!.get(key);
        if (block) block.push(i);
        else blocks[r]!.set(key, [i]);
      }
    });
  });
  const seen = new Int32Array(records.length);
  const found: number[] = [];
  let stamp = 0;
  return {
    rules,
    size: records.length,
    candidates(query) {
      stamp++;
      found.length = 0;
      rules.forEach((rule, r) => {
        for (const key of rule.keys(query, true)) {
          const block = blocks[r]!.get(key);
          if (!block) continue;
          for (const i of block) {
            if (seen[i] === stamp) continue;
            seen[i] = stamp;
            found.push(i);
          }
        }
      });
      return Int32Array.from(found);
    },
  };
}
