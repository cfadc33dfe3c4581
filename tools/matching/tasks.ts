import type { Demographics } from '../../shared';
import type { LabelledSet } from '../../synthetic';
import { childDemographics } from '../../shared';
import { householdMemberDemographics } from '../../subgraphs/housing/store';
import type { FebrlRecord } from './febrl';
import type { LinkageTask } from './evaluate';

/** A labelled query as housing is handed it: the child's demographics from identity. */
export const queryDemographics = (q: LabelledSet['queries'][number]): Demographics =>
  childDemographics({
    nhsNumber: q.nhsNumber,
    name: { given: q.given, family: q.family },
    dateOfBirth: q.dateOfBirth,
    address: { line1: q.line1, town: q.town, postcode: q.postcode },
  });

/** A labelled record as housing holds it: a household member at their tenancy's property. */
export const recordDemographics = (r: LabelledSet['records'][number]): Demographics =>
  householdMemberDemographics({
    given: r.given,
    family: r.family,
    dateOfBirth: r.dateOfBirth,
    memberPostcode: r.memberPostcode,
    line1: r.propertyLine1,
    town: r.propertyTown,
    postcode: r.propertyPostcode,
  });

/** The project's labelled set as housing sees it: each child's demographics from identity against the landlords' household members. */
export function syntheticTask(set: LabelledSet, name: string): LinkageTask {
  const ownOf = new Map(set.records.map((r, i) => [r.truth, i]));
  return {
    name,
    queries: set.queries.map(queryDemographics),
    records: set.records.map(recordDemographics),
    own: Int32Array.from(set.queries, (q) => ownOf.get(q.nhsNumber) ?? -1),
    describe: (r) => set.records[r]!.kind,
  };
}

/**
 * A FEBRL data set as a linkage like housing's: each duplicate looks for its
 * original among the originals (each duplicate has exactly one, as each child
 * has at most one household record).
 */
export function febrlTask(records: readonly FebrlRecord[], name: string): LinkageTask {
  const originals = records.filter((r) => r.id.endsWith('-org'));
  const duplicates = records.filter((r) => !r.id.endsWith('-org'));
  const originalOf = new Map(originals.map((r, i) => [r.entity, i]));
  return {
    name,
    queries: duplicates.map((r) => r.demographics),
    records: originals.map((r) => r.demographics),
    own: Int32Array.from(duplicates, (r) => originalOf.get(r.entity) ?? -1),
    describe: (r) => originals[r]!.id,
  };
}

export type { Demographics };
