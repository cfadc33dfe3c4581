import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import { validateDateTimeArg, type SubgraphContext } from '../../shared';
import { notificationsFor } from './notifications';
import { caseloadOf, caseloadSizeOf, type SocialCareLoaders, type SocialCareRecord } from './store';

type Context = SubgraphContext<SocialCareLoaders>;
interface ChildReference {
  nhsNumber: string;
}

export const resolvers = {
  Query: {
    accessNotifications: (_: unknown, args: { since?: string | null }, ctx: Context) => {
      if (args.since) validateDateTimeArg(args.since, 'since');
      return notificationsFor(ctx.db, ctx.authority!.caller.org, args.since ?? null);
    },
    // Which children a worker holds is itself a disclosure: each is registered at its response path, for the audit log.
    myCaseload: async (_: unknown, __: unknown, ctx: Context, info: GraphQLResolveInfo): Promise<ChildReference[]> => {
      if (!ctx.authority) return [];
      const nhsNumbers = await caseloadOf(ctx.db, ctx.authority.caller);
      const path = responsePathAsArray(info.path);
      nhsNumbers.forEach((nhsNumber, i) => ctx.audit.child([...path, i], nhsNumber));
      return nhsNumbers.map((nhsNumber) => ({ nhsNumber }));
    },
    myCaseloadSize: (_: unknown, __: unknown, ctx: Context) => (ctx.authority ? caseloadSizeOf(ctx.db, ctx.authority.caller) : 0),
  },
  Child: {
    // Any NHS number is a child; whether social care knows them is `socialCare`'s question.
    __resolveReference: (reference: ChildReference): ChildReference => ({ nhsNumber: reference.nhsNumber }),
    socialCare: (child: ChildReference, _: unknown, ctx: Context) => ctx.loaders.record.load(child.nhsNumber),
  },
  ChildSocialCare: {
    referrals: (record: SocialCareRecord, _: unknown, ctx: Context) => ctx.loaders.referrals.load(record.nhsNumber),
    // Record-level (socialcare:case-notes: allocated worker or their team manager): the explicit
    // resolver is what lets the record rule wrap the field.
    caseNotes: (record: SocialCareRecord, _: unknown, ctx: Context) => ctx.loaders.caseNotes.load(record.nhsNumber),
    // Declared so that the record rule runs: a restricted child's placement only for the allocated worker.
    placement: (record: SocialCareRecord) => record.placement,
  },
};
