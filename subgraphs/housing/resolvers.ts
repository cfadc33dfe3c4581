import type { GraphQLResolveInfo } from 'graphql';
import { declareFields, type ChildDemographics, type SubgraphContext } from '../../shared';
import { matching, type HousingLoaders, type HousingRecord } from './store';

export type Context = SubgraphContext<HousingLoaders>;

// Every housing policy is record-level (the `landlord` relationship), so every
// field below has an explicit resolver: only those are wrapped by the record rules.
export const resolvers = {
  Child: {
    // The representation carries the demographics asked for with @requires.
    __resolveReference: (reference: ChildDemographics) => reference,
    housing: (child: ChildDemographics, _: unknown, ctx: Context, info: GraphQLResolveInfo) => matching.resolveChild(child, ctx, info),
  },
  ChildHousing: {
    ...declareFields<HousingRecord>('matchConfidence', 'matchedOn', 'nhsNumberStatus'),
    tenancy: ({ row }: HousingRecord) =>
      row ? { address: `${row.line1}, ${row.town}, ${row.postcode}`, type: row.tenancy_type, landlord: row.landlord, startDate: row.start_date } : null,
    temporaryAccommodation: ({ row }: HousingRecord) => row?.temporary_accommodation ?? null,
    rentArrears: ({ row }: HousingRecord) => (row ? row.arrears_pence / 100 : null),
    household: ({ row }: HousingRecord, _: unknown, ctx: Context) => (row ? ctx.loaders.household.load(row.tenancy_ref) : null),
    antisocialBehaviourCases: ({ row }: HousingRecord, _: unknown, ctx: Context) => (row ? ctx.loaders.antisocialBehaviourCases.load(row.tenancy_ref) : null),
    // A landlord's housing officer is shown only their own landlord's household members.
    possibleMatches: (record: HousingRecord, _: unknown, ctx: Context) => matching.possibleMatches(record, ctx),
  },
  // confirmHousingMatch and rejectHousingMatch, each also a row in housing's audit log for the child it is about.
  Mutation: matching.mutations,
};
