import type { Authority, FactsNeeded, RecordFacts, RecordFactsOf } from '../../shared';
import type { ChildDemographics, HousingRecord } from './store';
import type { Context } from './resolvers';

const noRelationships: RecordFacts = { relationships: new Set<string>(), consented: false, restricted: false };

/** The `landlord` relationship: the caller works for the housing provider that is the landlord of the child's tenancy (or of a possible match). */
export function housingRecordFacts(record: HousingRecord, authority: Authority): RecordFacts {
  const { caller } = authority;
  const relationships = new Set<string>();
  if (caller.orgType === 'housing-provider' && record.landlordIds.includes(caller.org)) relationships.add('landlord');
  return { relationships, consented: false, restricted: false };
}

/**
 * For `Child.housing`, whose parent is only the child's demographics. The
 * `landlord` relationship needs the match, loaded here through the request's
 * DataLoader, which caches it, so the resolver's own load of the same key costs
 * no further SQL; a caller none of whose rules asks for a relationship (a
 * social worker, a GP) is decided on the restriction alone, without waiting for it.
 */
export function childFacts(child: ChildDemographics, authority: Authority, ctx: Context, needed?: FactsNeeded): RecordFacts | Promise<RecordFacts> {
  // A child identity did not say is unrestricted is treated as restricted: nothing of its household is shown.
  const restricted = child.restricted !== false;
  if (needed && !needed.relationships) return { ...noRelationships, restricted };
  return ctx.loaders.match.load(child).then((record) => ({ ...(record ? housingRecordFacts(record, authority) : noRelationships), restricted }));
}

export const recordFacts: Record<string, RecordFactsOf> = {
  Child: childFacts,
  ChildHousing: housingRecordFacts,
};
