import {
  compareField,
  compareLines,
  comparePostcodes,
  compareRecords,
  FIELD_LEVELS,
  LINE_LEVELS,
  MISSING,
  POSTCODE_LEVELS,
  type FieldName,
  type Prepared,
} from './compare';

/**
 * A Fellegi–Sunter model: for each field, the probability of each agreement
 * level among pairs that are the same person (m) and among pairs that are not
 * (u), and the share of compared pairs that are the same person (the prior).
 */
export interface FieldModel {
  field: FieldName;
  m: readonly number[];
  u: readonly number[];
}

export interface MatchModel {
  prior: number;
  fields: readonly FieldModel[];
}

export interface Score {
  /**
   * 1 when every field both records hold agrees exactly; otherwise the
   * probability that they are the same person, to six decimal places and at most 0.999999.
   */
  score: number;
  /** The model's probability that the two records are the same person. */
  probability: number;
  /** The match weight: the prior's and every field's log2 likelihood ratio, summed. */
  weight: number;
  /**
   * Each field both records hold, with its agreement level: `givenName`,
   * `familyName`, `dateOfBirth`, `gender`, `postcode`, `addressLine`,
   * `addressLine2`, `town`, `region` alone when exact, otherwise
   * `field:level` (`givenName:nickname`, `familyName:typo`,
   * `dateOfBirth:dayMonthSwapped`, `postcode:previousAddress`,
   * `town:disagree` …). `postcode:withheld` when the query's postcode exists
   * but was withheld.
   */
  matchedOn: string[];
}

export interface Scorer {
  readonly model: MatchModel;
  readonly fields: readonly FieldName[];
  /** The match weight of a pair, with nothing allocated. */
  weight(a: Prepared, b: Prepared): number;
  /**
   * The match weight of a pair, or -Infinity as soon as it cannot reach
   * `floor` whatever the fields not yet compared say: fields are compared
   * cheapest first, and most candidate pairs are settled by two. What blocked
   * linkage at volume calls.
   */
  weightAtLeast(a: Prepared, b: Prepared, floor: number): number;
  /** The whole score of a pair, with its explanation. */
  score(a: Prepared, b: Prepared, options?: { postcodeWithheld?: boolean }): Score;
}

/** Relative cost of comparing each field, for comparing the cheap ones first. */
const COST: Record<FieldName, number> = { dateOfBirth: 0, gender: 1, familyName: 2, givenName: 3, region: 4, town: 5, addressLine2: 6, address: 7 };

/** The probability a match weight stands for. */
export function probabilityOf(weight: number): number {
  return 1 / (1 + 2 ** -weight);
}

/** The match weight a probability stands for. */
export function weightOf(probability: number): number {
  return Math.log2(probability / (1 - probability));
}

export function createScorer(model: MatchModel): Scorer {
  const fields = model.fields.map((f) => f.field);
  const weights = model.fields.map((f) => Float64Array.from(f.m, (m, i) => Math.log2(m / f.u[i]!)));
  const priorWeight = weightOf(model.prior);
  const levels = new Int8Array(fields.length);
  // Cheapest comparisons first; then, for each position, the most the fields after it could still add.
  const order = fields.map((f, i) => i).sort((x, y) => COST[fields[x]!] - COST[fields[y]!]);
  const ordered = order.map((i) => fields[i]!);
  const orderedWeights = order.map((i) => weights[i]!);
  const still = new Float64Array(order.length + 1);
  for (let k = order.length - 1; k >= 0; k--) still[k] = still[k + 1]! + Math.max(0, ...orderedWeights[k]!);
  const sum = () => {
    let w = priorWeight;
    for (let i = 0; i < fields.length; i++) if (levels[i] !== MISSING) w += weights[i]![levels[i]!]!;
    return w;
  };
  return {
    model,
    fields,
    weight(a, b) {
      compareRecords(a, b, fields, levels);
      return sum();
    },
    weightAtLeast(a, b, floor) {
      let w = priorWeight;
      for (let k = 0; k < ordered.length; k++) {
        if (w + still[k]! < floor) return -Infinity;
        const l = compareField(a, b, ordered[k]!);
        if (l !== MISSING) w += orderedWeights[k]![l]!;
      }
      return w;
    },
    score(a, b, options = {}) {
      compareRecords(a, b, fields, levels);
      const weight = sum();
      const probability = probabilityOf(weight);
      const matchedOn: string[] = [];
      fields.forEach((field, i) => {
        const l = levels[i]!;
        if (l === MISSING) return;
        if (field === 'address') matchedOn.push(...addressParts(a, b));
        else matchedOn.push(l === 0 ? field : `${field}:${FIELD_LEVELS[field][l]}`);
      });
      const exact = matchedOn.length > 0 && matchedOn.every((m) => !m.includes(':'));
      if (options.postcodeWithheld && !matchedOn.some((m) => m.startsWith('postcode'))) matchedOn.push('postcode:withheld');
      const score = exact ? 1 : Math.min(0.999999, Math.round(probability * 1e6) / 1e6);
      return { score, probability, weight, matchedOn };
    },
  };
}

/** The address's explanation in its parts: how the postcodes agree, and how the first lines do. */
function addressParts(a: Prepared, b: Prepared): string[] {
  const parts: string[] = [];
  const postcode = comparePostcodes(a, b);
  const line = compareLines(a, b);
  if (postcode !== MISSING) parts.push(postcode === 0 ? 'postcode' : `postcode:${POSTCODE_LEVELS[postcode]}`);
  if (line !== MISSING) parts.push(line === 0 ? 'addressLine' : `addressLine:${LINE_LEVELS[line]}`);
  return parts;
}

/** Checks a model read from elsewhere: every field known, one m and u per level, each a probability. */
export function getValidModel(model: MatchModel): MatchModel {
  const isProbability = (p: unknown) => typeof p === 'number' && p > 0 && p < 1;
  if (!isProbability(model.prior)) throw new TypeError(`matching model: prior must be between 0 and 1, not ${String(model.prior)}`);
  for (const f of model.fields) {
    const levels = FIELD_LEVELS[f.field];
    if (!levels) throw new TypeError(`matching model: unknown field ${JSON.stringify(f.field)}`);
    if (f.m.length !== levels.length || f.u.length !== levels.length || ![...f.m, ...f.u].every(isProbability)) {
      throw new TypeError(`matching model: ${f.field} needs ${levels.length} m and u probabilities (${levels.join(', ')}), each between 0 and 1`);
    }
  }
  return model;
}
