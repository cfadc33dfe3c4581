import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import {
  accessLogPage,
  badUserInput,
  quoteInput,
  validateDateArg,
  validateDateTimeArg,
  validateIdentifierArg,
  validateNameArg,
  validateNhsNumberArg,
  validateNhsNumberList,
  validatePostcodeArg,
  validateTextArg,
  type SubgraphContext,
} from '../../shared';
import {
  accessAlerts,
  breakGlassGrants,
  recordAlerts,
  recordBreakGlassGrant,
  recordSearch,
  reviewBreakGlassGrant,
  searchExact,
  searchFuzzy,
  type BreakGlassReviewStatus,
  type ChildRecord,
  type ExactSearch,
  type FuzzySearch,
  type IdentityLoaders,
} from './store';

type Context = SubgraphContext<IdentityLoaders>;
interface SearchArgs {
  given?: string | null;
  family?: string | null;
  dateOfBirth?: string | null;
  gender?: ChildRecord['gender'] | null;
  postcode?: string | null;
  fuzzy?: boolean | null;
}
/** A search's arguments once checked; one given empty is not given. */
interface CheckedSearch {
  given?: string;
  family?: string;
  dateOfBirth?: string;
  gender?: ChildRecord['gender'];
  postcode?: string;
}

const MAX_SEARCH_RESULTS = 10;

interface PeriodArgs {
  since?: string | null;
  until?: string | null;
}
/** A period as alerts take it: empty for an open end. */
function period(args: PeriodArgs): { since: string; until: string } {
  for (const name of ['since', 'until'] as const) if (args[name]) validateDateTimeArg(args[name], name);
  return { since: args.since ?? '', until: args.until ?? '' };
}
type PageArgs = Parameters<typeof accessLogPage>[0];

export const resolvers = {
  Query: {
    // Each child returned is registered at its response path, for the audit log.
    child: async (_: unknown, args: { nhsNumber: string }, ctx: Context, info: GraphQLResolveInfo) => {
      const nhsNumber = validateNhsNumberArg(args.nhsNumber);
      // A break-glass grant the gateway has just opened is recorded for review before anything is returned.
      if (ctx.authority?.breakGlassGrant?.opened) await recordBreakGlassGrant(ctx.db, ctx.authority, nhsNumber);
      const child = await ctx.loaders.child.load(nhsNumber);
      if (child) ctx.audit.child(responsePathAsArray(info.path), child.nhsNumber);
      return child;
    },
    children: async (_: unknown, args: { nhsNumbers: string[] }, ctx: Context, info: GraphQLResolveInfo) => {
      const numbers = validateNhsNumberList(args.nhsNumbers);
      const children = await ctx.loaders.child.loadMany(numbers);
      const path = responsePathAsArray(info.path);
      children.forEach((child, i) => child && !(child instanceof Error) && ctx.audit.child([...path, i], child.nhsNumber));
      return children;
    },
    breakGlassReviews: async (_: unknown, args: { status?: BreakGlassReviewStatus | null }, ctx: Context, info: GraphQLResolveInfo) => {
      const grants = await breakGlassGrants(ctx.db, args.status ?? 'UNREVIEWED');
      const path = responsePathAsArray(info.path);
      grants.forEach((g, i) => ctx.audit.child([...path, i], g.nhsNumber));
      return grants;
    },
    myAccessHistory: (_: unknown, args: PageArgs, ctx: Context) => (ctx.authority ? { sub: ctx.authority.caller.sub, ...accessLogPage(args) } : null),
    accessAlerts: (_: unknown, args: { since?: string | null }, ctx: Context) => accessAlerts(ctx.db, period({ since: args.since }).since || null),
    searchChildren: async (_: unknown, args: SearchArgs, ctx: Context, info: GraphQLResolveInfo) => {
      const search = checkSearch(args);
      let results: { child: ChildRecord; score: number; matchedOn: string[] }[];
      if (args.fuzzy) {
        results = await searchFuzzy(ctx.db, toFuzzySearch(search), MAX_SEARCH_RESULTS);
      } else {
        const matchedOn = (['given', 'family', 'dateOfBirth', 'gender', 'postcode'] as const).filter((f) => search[f]).map((f) => fieldNames[f]);
        results = (await searchExact(ctx.db, toExactSearch(search), MAX_SEARCH_RESULTS)).map((child) => ({ child, score: 1, matchedOn }));
      }
      // Recorded before any result leaves; if it cannot be recorded, the search fails and nothing is returned.
      const { authority } = ctx;
      if (authority) {
        const parameters = Object.fromEntries(Object.entries(args).filter(([, v]) => v !== null && v !== undefined));
        await recordSearch(ctx.db, {
          traceId: authority.traceId,
          caller: authority.caller,
          purpose: authority.purpose,
          fuzzy: Boolean(args.fuzzy),
          parameters,
          results: results.length,
        });
      }
      const path = responsePathAsArray(info.path);
      results.forEach((r, i) => ctx.audit.child([...path, i, 'child'], r.child.nhsNumber));
      return results;
    },
  },
  Mutation: {
    // The gateway's own call, after a request in which it noticed unusual access: the alerts are in its signed context.
    recordAccessAlerts: async (_: unknown, __: unknown, ctx: Context) => {
      const alerts = ctx.authority?.alerts ?? [];
      if (alerts.length > 0) await recordAlerts(ctx.db, ctx.authority!, alerts);
      return alerts.length;
    },
    reviewBreakGlass: async (_: unknown, args: { id: string; outcome: string; note: string }, ctx: Context, info: GraphQLResolveInfo) => {
      const id = validateIdentifierArg(args.id, 'id');
      const note = validateTextArg(args.note, 'note');
      const grant = await reviewBreakGlassGrant(ctx.db, id, { outcome: args.outcome, note, by: ctx.authority!.caller });
      if (!grant) throw badUserInput(`id: ${quoteInput(id)} is not a break-glass grant`, { argument: 'id' });
      ctx.audit.child(responsePathAsArray(info.path), grant.nhsNumber);
      return grant;
    },
  },
  Child: {
    accessLog: (child: ChildRecord, args: PageArgs) => ({ nhsNumber: child.nhsNumber, ...accessLogPage(args) }),
    __resolveReference: (reference: { nhsNumber: string }, ctx: Context) => ctx.loaders.child.load(reference.nhsNumber),
    // Declared so that the record rule for the address runs (it is withheld for restricted children).
    address: (child: ChildRecord) => child.address,
  },
};

const fieldNames = { given: 'givenName', family: 'familyName', dateOfBirth: 'dateOfBirth', gender: 'gender', postcode: 'postcode' } as const;

/** What fuzzy mode needs at least: each combination pins a child down well enough to score. */
const FUZZY_COMBINATIONS = [
  ['given', 'family', 'dateOfBirth'],
  ['family', 'dateOfBirth', 'gender', 'postcode'],
  ['given', 'dateOfBirth', 'gender', 'postcode'],
] as const;

/** Each argument given is checked before anything else; an empty one counts as not given. */
function checkSearch(args: SearchArgs): CheckedSearch {
  const text = (name: 'given' | 'family' | 'dateOfBirth' | 'postcode', check: (value: string, argument: string) => string) => {
    const value = args[name];
    return typeof value === 'string' && value.trim() !== '' ? { [name]: check(value, name) } : {};
  };
  return {
    ...text('given', validateNameArg),
    ...text('family', validateNameArg),
    ...text('dateOfBirth', validateDateArg),
    ...text('postcode', validatePostcodeArg),
    ...(args.gender ? { gender: args.gender } : {}),
  };
}

function toFuzzySearch(search: CheckedSearch): FuzzySearch {
  if (!FUZZY_COMBINATIONS.some((combination) => combination.every((field) => search[field] !== undefined))) {
    throw badUserInput(`a fuzzy searchChildren needs one of: ${FUZZY_COMBINATIONS.map((c) => c.join(' + ')).join('; ')}`, {
      argument: 'given, family, dateOfBirth, gender, postcode',
    });
  }
  return { ...search, dateOfBirth: search.dateOfBirth! };
}

function toExactSearch(search: CheckedSearch): ExactSearch {
  if (!search.family || !search.dateOfBirth) {
    throw badUserInput('searchChildren needs at least family and dateOfBirth (or fuzzy: true with one of its combinations)', {
      argument: 'family, dateOfBirth',
    });
  }
  return { ...search, family: search.family, dateOfBirth: search.dateOfBirth };
}
