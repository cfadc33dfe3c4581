import type { Authority, RecordFacts, SubgraphContext } from '../../shared';
import type { EducationLoaders, EducationRecord } from './store';

type Context = SubgraphContext<EducationLoaders>;
interface ChildReference { nhsNumber: string }

export const resolvers = {
  Child: {
    // Every NHS number is a child here; whether they are at school is `education`'s to say.
    __resolveReference: (reference: ChildReference): ChildReference => ({ nhsNumber: reference.nhsNumber }),
    education: (child: ChildReference, _: unknown, ctx: Context) => ctx.loaders.record.load(child.nhsNumber),
  },
  // Every field is record-level (education:school, education:pupil), so each has a resolver:
  // the record rules wrap only declared resolvers.
  ChildEducation: {
    school: (education: EducationRecord) => education.school,
    attendanceRate: (education: EducationRecord) => education.attendanceRate,
    unauthorisedAbsences: (education: EducationRecord) => education.unauthorisedAbsences,
    exclusions: (education: EducationRecord, _: unknown, ctx: Context) => ctx.loaders.exclusions.load(education.nhsNumber),
    senSupport: (education: EducationRecord) => education.senSupport,
    ehcp: (education: EducationRecord) => education.ehcp,
    freeSchoolMeals: (education: EducationRecord) => education.freeSchoolMeals,
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
