import type { Authority, RecordFacts, SubgraphContext } from '../../shared';
import type { HealthLoaders, HealthRecord } from './store';

type Context = SubgraphContext<HealthLoaders>;
interface ChildReference {
  nhsNumber: string;
}

export const resolvers = {
  Child: {
    // The child's health is looked up only when asked for, so a reference costs no SQL.
    __resolveReference: (reference: ChildReference) => ({ nhsNumber: reference.nhsNumber }),
    health: (child: ChildReference, _: unknown, ctx: Context) => ctx.loaders.record.load(child.nhsNumber),
  },
  ChildHealth: {
    // The record-level fields (health:clinical, health:conditions): each has a resolver, as
    // the record rules wrap only declared resolvers. registeredGp and healthVisitor are not record-level.
    immunisations: (record: HealthRecord, _: unknown, ctx: Context) => ctx.loaders.immunisations.load(record.nhsNumber),
    emergencyAttendances: (record: HealthRecord, _: unknown, ctx: Context) => ctx.loaders.emergencyAttendances.load(record.nhsNumber),
    conditions: (record: HealthRecord, _: unknown, ctx: Context) => ctx.loaders.conditions.load(record.nhsNumber),
  },
};

/**
 * What a child's health record says about the caller, for policies that depend on it:
 * the caller's practice is the one the child is registered with; the caller's school
 * is the one the record shows; consent to share conditions is recorded for the caller's organisation.
 */
export function childHealthFacts(record: HealthRecord, authority: Authority): RecordFacts {
  const { org, orgType } = authority.caller;
  const relationships = new Set<string>();
  if (orgType === 'gp-practice' && record.registeredGp !== null && org === record.registeredGp.odsCode) relationships.add('registered-practice');
  if (orgType === 'school' && record.schoolUrn !== null && org === record.schoolUrn) relationships.add('childs-school');
  return { relationships, consented: record.consentedOrgs.includes(org), restricted: false };
}
