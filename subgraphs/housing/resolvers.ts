import { declareFields, type SubgraphContext } from '../../shared';
import { matchKeyFor, type ChildDemographics, type HousingLoaders, type HousingRecord } from './store';

export type Context = SubgraphContext<HousingLoaders>;

// Every housing policy is record-level (the `landlord` relationship), so every
// field below has an explicit resolver: only those are wrapped by the record rules.
export const resolvers = {
  Child: {
    // The representation carries the demographics asked for with @requires.
    __resolveReference: (reference: ChildDemographics) => reference,
    housing: async (child: ChildDemographics, _: unknown, ctx: Context) => {
      const key = matchKeyFor(child);
      return key ? ctx.loaders.match.load(key) : null;
    },
  },
  ChildHousing: {
    ...declareFields<HousingRecord>('matchConfidence', 'matchedOn', 'tenancy', 'temporaryAccommodation', 'rentArrears'),
    household: (record: HousingRecord, _: unknown, ctx: Context) => ctx.loaders.household.load(record.tenancyRef),
    antisocialBehaviourCases: (record: HousingRecord, _: unknown, ctx: Context) => ctx.loaders.antisocialBehaviourCases.load(record.tenancyRef),
  },
};
