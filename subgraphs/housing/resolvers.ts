import { GraphQLError, responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import { badUserInput, declareFields, ErrorCode, quoteInput, validateIdentifierArg, validateNhsNumberArg, type Authority, type SubgraphContext } from '../../shared';
import type { ChildDemographics, HousingLoaders, HousingRecord, PossibleMatch } from './store';

export type Context = SubgraphContext<HousingLoaders>;

interface DecisionArgs { nhsNumber: string; reference: string }
interface DecisionRow { nhs_number: string; member_ref: string; decided_by_name: string; decided_by_org: string; decided_at: string }

// Every housing policy is record-level (the `landlord` relationship), so every
// field below has an explicit resolver: only those are wrapped by the record rules.
export const resolvers = {
  Child: {
    // The representation carries the demographics asked for with @requires.
    __resolveReference: (reference: ChildDemographics) => reference,
    housing: async (child: ChildDemographics, _: unknown, ctx: Context, info: GraphQLResolveInfo) => {
      const record = await ctx.loaders.match.load(child);
      // Housing's own reference for the record goes into its audit log beside the NHS number it was given.
      const reference = record?.memberRef ?? (record?.possibleMatches.map((p) => p.reference).join(',') || null);
      if (reference) ctx.audit.child(responsePathAsArray(info.path).slice(0, -1), child.nhsNumber, reference);
      return record;
    },
  },
  ChildHousing: {
    ...declareFields<HousingRecord>('matchConfidence', 'matchedOn', 'nhsNumberStatus', 'tenancy', 'temporaryAccommodation', 'rentArrears'),
    household: (record: HousingRecord, _: unknown, ctx: Context) => (record.tenancyRef ? ctx.loaders.household.load(record.tenancyRef) : null),
    antisocialBehaviourCases: (record: HousingRecord, _: unknown, ctx: Context) =>
      record.tenancyRef ? ctx.loaders.antisocialBehaviourCases.load(record.tenancyRef) : null,
    // A landlord's housing officer is shown only their own landlord's household members.
    possibleMatches: (record: HousingRecord, _: unknown, ctx: Context): PossibleMatch[] => {
      const caller = ctx.authority?.caller;
      return caller?.orgType === 'housing-provider' ? record.possibleMatches.filter((p) => p.landlordId === caller.org) : record.possibleMatches;
    },
  },
  Mutation: {
    // Each decision is also a row in housing's audit log, for the child it is about.
    confirmHousingMatch: async (_: unknown, args: DecisionArgs, ctx: Context, info: GraphQLResolveInfo) => audited(ctx, info, await decide(ctx, args, 'CONFIRMED')),
    rejectHousingMatch: async (_: unknown, args: DecisionArgs, ctx: Context, info: GraphQLResolveInfo) => audited(ctx, info, await decide(ctx, args, 'REJECTED')),
  },
};

/**
 * Records a person's decision on a possible match, with who, for what purpose,
 * in which request, and when. A confirmation makes housing hold the NHS number
 * against the household member; a rejection keeps the pair from being proposed
 * again, and undoes a confirmation of the same pair.
 */
async function decide(ctx: Context, args: DecisionArgs, decision: 'CONFIRMED' | 'REJECTED') {
  const authority = ctx.authority as Authority;
  const nhsNumber = validateNhsNumberArg(args.nhsNumber);
  const reference = validateIdentifierArg(args.reference, 'reference');
  const [member] = await ctx.db.query<{ member_ref: string; landlord_id: string; confirmed_nhs: string | null }>(
    `SELECT m.member_ref, t.landlord_id, x.nhs_number AS confirmed_nhs
       FROM records.household_member m
       JOIN records.tenancy t ON t.tenancy_ref = m.tenancy_ref
       LEFT JOIN service.nhs_cross_reference x ON x.member_ref = m.member_ref
      WHERE m.member_ref = $1`,
    [reference],
  );
  if (!member) throw badUserInput(`reference: ${quoteInput(reference)} is not a household member housing knows`, { argument: 'reference' });
  const { caller } = authority;
  if (caller.orgType === 'housing-provider' && caller.org !== member.landlord_id) {
    throw new GraphQLError(`Not authorised to decide on ${reference}: it is another landlord's record`, {
      extensions: { code: ErrorCode.FORBIDDEN, policy: 'housing:match-decision', reason: 'the reference is not in a tenancy of the caller\'s landlord' },
    });
  }
  const by = [caller.sub, caller.name, caller.org, authority.purpose, authority.traceId];
  if (decision === 'CONFIRMED') {
    if (member.confirmed_nhs && member.confirmed_nhs !== nhsNumber) {
      throw badUserInput(`reference: ${reference} is already confirmed as another child; reject that match first`, { argument: 'reference' });
    }
    const [other] = await ctx.db.query<{ member_ref: string }>('SELECT member_ref FROM service.nhs_cross_reference WHERE nhs_number = $1 AND member_ref <> $2', [nhsNumber, reference]);
    if (other) throw badUserInput(`nhsNumber: ${nhsNumber} is already confirmed as ${other.member_ref}; reject that match first`, { argument: 'nhsNumber' });
    const [row] = await ctx.db.query<DecisionRow>(
      `WITH cleared AS (DELETE FROM service.match_rejection WHERE nhs_number = $1 AND member_ref = $2)
       INSERT INTO service.nhs_cross_reference (nhs_number, member_ref, confirmed_by, confirmed_by_name, confirmed_by_org, purpose, trace_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (member_ref) DO UPDATE SET member_ref = EXCLUDED.member_ref
       RETURNING nhs_number, member_ref, confirmed_by_name AS decided_by_name, confirmed_by_org AS decided_by_org, confirmed_at::text AS decided_at`,
      [nhsNumber, reference, ...by],
    );
    return toDecision(row!, decision);
  }
  const [row] = await ctx.db.query<DecisionRow>(
    `WITH undone AS (DELETE FROM service.nhs_cross_reference WHERE nhs_number = $1 AND member_ref = $2)
     INSERT INTO service.match_rejection (nhs_number, member_ref, rejected_by, rejected_by_name, rejected_by_org, purpose, trace_id)
     VALUES ($1, $2, $3, $4, $5, $6, $7)
     ON CONFLICT (nhs_number, member_ref) DO UPDATE SET rejected_by = EXCLUDED.rejected_by, rejected_by_name = EXCLUDED.rejected_by_name,
       rejected_by_org = EXCLUDED.rejected_by_org, purpose = EXCLUDED.purpose, trace_id = EXCLUDED.trace_id, rejected_at = now()
     RETURNING nhs_number, member_ref, rejected_by_name AS decided_by_name, rejected_by_org AS decided_by_org, rejected_at::text AS decided_at`,
    [nhsNumber, reference, ...by],
  );
  return toDecision(row!, decision);
}

function audited<D extends { nhsNumber: string; reference: string }>(ctx: Context, info: GraphQLResolveInfo, decision: D): D {
  ctx.audit.child(responsePathAsArray(info.path), decision.nhsNumber, decision.reference);
  return decision;
}

function toDecision(row: DecisionRow, decision: 'CONFIRMED' | 'REJECTED') {
  return {
    nhsNumber: row.nhs_number, reference: row.member_ref, decision,
    decidedBy: `${row.decided_by_name} (${row.decided_by_org})`, decidedAt: new Date(row.decided_at).toISOString(),
  };
}
