import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import {
  badUserInput,
  declareFields,
  ErrorCode,
  graphqlError,
  quoteInput,
  validateDateTimeArg,
  validateIdentifierArg,
  type Authority,
  type ChildDemographics,
  type FactsNeeded,
  type RecordFacts,
  type SubgraphContext,
} from '../../shared';
import { matching, type NotificationRow, type PoliceLoaders, type PoliceRecord } from './store';

export type Context = SubgraphContext<PoliceLoaders>;

/**
 * A notification as the graph shows it: the row, and whether the child may be restricted. Under `Child.police`
 * identity says; through the school's list nobody does, so the child counts as restricted there (fail closed).
 */
export interface Notification extends NotificationRow {
  restricted: boolean;
}

/** A match, with the child's restriction as identity gave it. */
export type PoliceChild = PoliceRecord & { restricted: boolean };

const ownForce = (authority: Authority, forceId: string) => authority.caller.orgType === 'police-force' && authority.caller.org === forceId;
const notifiedSchool = (authority: Authority, row: NotificationRow) => authority.caller.orgType === 'school' && row.school_urn === authority.caller.org;

/** The relationships a notification shows the caller: their own force's record; their own school notified. */
export function notificationFacts(n: Notification, authority: Authority): RecordFacts {
  const relationships = new Set<string>();
  if (ownForce(authority, n.force_id)) relationships.add('own-force');
  if (notifiedSchool(authority, n)) relationships.add('notified-school');
  return { relationships, consented: false, restricted: n.restricted };
}

/** The relationships a match shows the caller: the kit's own-force, and notified-school when the force notified the caller's school about the person. */
export async function matchFacts(match: PoliceChild, authority: Authority, ctx: Context, needed?: FactsNeeded): Promise<RecordFacts> {
  const facts = matching.matchFacts(match, authority);
  const relationships = new Set(facts.relationships);
  if ((!needed || needed.relationships) && match.reference && authority.caller.orgType === 'school') {
    const rows = await ctx.loaders.notifications.load(match.reference);
    if (rows.some((row) => notifiedSchool(authority, row))) relationships.add('notified-school');
  }
  return { ...facts, relationships, restricted: match.restricted };
}

/** The facts of `Child.police`: the kit's (restriction, own force), and the school notified. */
export async function childFacts(child: ChildDemographics, authority: Authority, ctx: Context, needed?: FactsNeeded): Promise<RecordFacts> {
  const restricted = child.restricted !== false;
  if (needed && !needed.relationships) return { relationships: new Set(), consented: false, restricted };
  const match = await ctx.loaders.match.load(child);
  return match ? matchFacts({ ...match, restricted }, authority, ctx, needed) : { relationships: new Set(), consented: false, restricted };
}

/**
 * Registers a notification a response discloses, at its response path, in the force's audit log: the NHS number
 * when a person confirmed it, and always the force's own reference.
 */
function audited(ctx: Context, path: readonly (string | number)[], row: NotificationRow): Notification {
  ctx.audit.child(path, row.nhs_number, row.person_ref);
  return { ...row, restricted: true };
}

// Every police policy is record-level (own-force, notified-school, restriction), so every field below has an
// explicit resolver: only those are wrapped by the record rules.
export const resolvers = {
  Child: {
    // The representation carries the demographics asked for with @requires.
    __resolveReference: (reference: ChildDemographics) => reference,
    police: async (child: ChildDemographics, _: unknown, ctx: Context, info: GraphQLResolveInfo): Promise<PoliceChild | null> => {
      const match = await matching.resolveChild(child, ctx, info);
      return match && { ...match, restricted: child.restricted !== false };
    },
  },
  ChildPolice: {
    ...declareFields<PoliceChild>('matchConfidence', 'matchedOn', 'nhsNumberStatus'),
    possibleMatches: (match: PoliceChild, _: unknown, ctx: Context) => matching.possibleMatches(match, ctx),
    encompassNotifications: async (match: PoliceChild, _: unknown, ctx: Context): Promise<Notification[] | null> =>
      match.row ? (await ctx.loaders.notifications.load(match.row.reference)).map((row) => ({ ...row, restricted: match.restricted })) : null,
  },
  EncompassNotification: {
    id: (n: Notification) => n.notification_id,
    childAsRecorded: (n: Notification) => n,
    incident: (n: Notification) => n,
    childPresent: (n: Notification) => n.present,
    childWhereabouts: (n: Notification) => n.whereabouts,
    childsVoice: (n: Notification) => n.child_voice,
    notified: (n: Notification) => n,
    sentAt: (n: Notification) => new Date(n.sent_at).toISOString(),
    acknowledgedAt: (n: Notification) => (n.acknowledged_at ? new Date(n.acknowledged_at).toISOString() : null),
    acknowledgedBy: (n: Notification) => (n.acknowledged_by_name ? `${n.acknowledged_by_name} (${n.acknowledged_by_org})` : null),
  },
  EncompassRecipient: {
    __resolveType: (n: Notification) => (n.school_urn ? 'NotifiedSchool' : 'NotifiedLocalAuthority'),
  },
  NotifiedSchool: {
    urn: (n: Notification) => n.school_urn,
    name: (n: Notification) => n.school_name,
  },
  NotifiedLocalAuthority: {
    code: (n: Notification) => n.la_code,
  },
  PoliceRecordedChild: {
    given: (n: Notification) => n.given_name,
    family: (n: Notification) => n.family_name,
    dateOfBirth: (n: Notification) => n.date_of_birth,
  },
  PoliceIncident: {
    reference: (n: Notification) => n.incident_ref,
    occurredAt: (n: Notification) => new Date(n.occurred_at).toISOString(),
    type: (n: Notification) => n.incident_type,
    place: (n: Notification) => `${n.place_line1}, ${n.place_town}, ${n.place_postcode}`,
  },
  Query: {
    // Only notifications to the caller's own school are listed: the policy lets only a school's safeguarding lead ask.
    encompassNotificationsForMySchool: async (_: unknown, args: { since?: string | null }, ctx: Context, info: GraphQLResolveInfo) => {
      const since = args.since == null ? null : validateDateTimeArg(args.since, 'since');
      const caller = (ctx.authority as Authority).caller;
      const rows = await ctx.loaders.forSchool(caller.org, since);
      return rows.map((row, i) => audited(ctx, [...responsePathAsArray(info.path), i], row));
    },
  },
  Mutation: {
    acknowledgeEncompassNotification: async (_: unknown, args: { id: string }, ctx: Context, info: GraphQLResolveInfo) => {
      const id = validateIdentifierArg(args.id, 'id');
      const authority = ctx.authority as Authority;
      const found = await ctx.loaders.notification(id);
      if (!found) throw badUserInput(`id: ${quoteInput(id)} is not an Encompass notification the force sent`, { argument: 'id' });
      if (!notifiedSchool(authority, found)) {
        throw graphqlError(ErrorCode.FORBIDDEN, `Not authorised to acknowledge ${id}: it was sent to another school`, {
          policy: 'police:acknowledge',
          reason: "the notification was not sent to the caller's school",
        });
      }
      const { caller } = authority;
      // The first acknowledgement stands: acknowledging again changes nothing.
      await ctx.db.query(
        `INSERT INTO service.encompass_acknowledgement (notification_id, acknowledged_by, acknowledged_by_name, acknowledged_by_org, trace_id)
         VALUES ($1, $2, $3, $4, $5) ON CONFLICT (notification_id) DO NOTHING`,
        [id, caller.sub, caller.name, caller.org, authority.traceId],
      );
      const row = (await ctx.loaders.notification(id))!;
      return audited(ctx, responsePathAsArray(info.path), row);
    },
  },
};
