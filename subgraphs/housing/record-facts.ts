import type { Authority, RecordFacts, RecordFactsOf } from '../../shared';
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
 * For `Child.housing`, whose parent is only the child's demographics: the
 * match is loaded here through the request's DataLoader, which caches it, so
 * the resolver's own load of the same key costs no further SQL.
 */
export async function childFacts(child: ChildDemographics, authority: Authority, ctx: Context): Promise<RecordFacts> {
  const record = await ctx.loaders.match.load(child);
  // A child identity did not say is unrestricted is treated as restricted: nothing of its household is shown.
  return { ...(record ? housingRecordFacts(record, authority) : noRelationships), restricted: child.restricted !== false };
}

export const recordFacts: Record<string, RecordFactsOf> = {
  Child: childFacts,
  ChildHousing: housingRecordFacts,
};
