import { declareFields, type Authority, type RecordFacts, type SubgraphContext } from '../../shared';
import type { EducationLoaders, EducationRecord } from './store';

type Context = SubgraphContext<EducationLoaders>;
interface ChildReference {
  nhsNumber: string;
}

export const resolvers = {
  Child: {
    // Every NHS number is a child here; whether they are at school is `education`'s to say.
    __resolveReference: (reference: ChildReference): ChildReference => ({ nhsNumber: reference.nhsNumber }),
    education: (child: ChildReference, _: unknown, ctx: Context) => ctx.loaders.record.load(child.nhsNumber),
  },
  // Every field is record-level (education:school, education:pupil), so each has a resolver:
  // the record rules wrap only declared resolvers.
  ChildEducation: {
    ...declareFields<EducationRecord>('school', 'attendanceRate', 'unauthorisedAbsences', 'senSupport', 'ehcp', 'freeSchoolMeals'),
    exclusions: (education: EducationRecord, _: unknown, ctx: Context) => ctx.loaders.exclusions.load(education.nhsNumber),
  },
};

/**
 * What a pupil's record says about the caller, for policies that depend on it: the
 * caller's school is the one the pupil is on roll at; the pupil's location is withheld.
 */
export function childEducationFacts(education: EducationRecord, authority: Authority): RecordFacts {
  const { org, orgType } = authority.caller;
  const relationships = new Set<string>();
  if (orgType === 'school' && org === education.urn) relationships.add('childs-school');
  return { relationships, consented: false, restricted: education.restricted };
}
