import type { RecordFactsOf } from '../../shared';
import { matching } from './store';

/**
 * The `landlord` relationship (the caller works for the housing provider that is the landlord of the child's
 * tenancy, or of a possible match) and the restriction, as the kit's record matching reads them. `Child.housing`,
 * whose parent is only the child's demographics, loads the match through the request's DataLoader, which caches
 * it; a caller none of whose rules asks for a relationship is decided on the restriction alone, without waiting for it.
 */
export const recordFacts: Record<string, RecordFactsOf> = {
  Child: matching.childFacts,
  ChildHousing: matching.matchFacts,
};
