import { badUserInput, validateNhsNumberArg, validateNhsNumberList, type SubgraphContext } from '../../shared';
import { searchExact, type ChildRecord, type ExactSearch, type IdentityLoaders } from './store';

type Context = SubgraphContext<IdentityLoaders>;
interface SearchArgs { given?: string | null; family?: string | null; dateOfBirth?: string | null; gender?: ChildRecord['gender'] | null; postcode?: string | null; fuzzy?: boolean | null }

const MAX_SEARCH_RESULTS = 10;

export const resolvers = {
  Query: {
    child: (_: unknown, args: { nhsNumber: string }, ctx: Context) => ctx.loaders.child.load(validateNhsNumberArg(args.nhsNumber)),
    children: (_: unknown, args: { nhsNumbers: string[] }, ctx: Context) => ctx.loaders.child.loadMany(validateNhsNumberList(args.nhsNumbers)),
    searchChildren: async (_: unknown, args: SearchArgs, ctx: Context) => {
      const search = toExactSearch(args);
      const matchedOn = (['given', 'family', 'dateOfBirth', 'gender', 'postcode'] as const).filter((f) => args[f]);
      const found = await searchExact(ctx.db, search, MAX_SEARCH_RESULTS);
      return found.map((child) => ({ child, score: 1, matchedOn }));
    },
  },
  Child: {
    __resolveReference: (reference: { nhsNumber: string }, ctx: Context) => ctx.loaders.child.load(reference.nhsNumber),
    // Declared so that the record rule for the address runs (it is withheld for restricted children).
    address: (child: ChildRecord) => child.address,
  },
};

function toExactSearch(args: SearchArgs): ExactSearch {
  if (!args.family?.trim() || !args.dateOfBirth) {
    throw badUserInput('searchChildren needs at least family and dateOfBirth', { argument: 'family, dateOfBirth' });
  }
  if (!isCalendarDate(args.dateOfBirth)) {
    throw badUserInput(`dateOfBirth: "${args.dateOfBirth}" is not a date as YYYY-MM-DD`, { argument: 'dateOfBirth' });
  }
  return {
    family: args.family,
    dateOfBirth: args.dateOfBirth,
    ...(args.given ? { given: args.given } : {}),
    ...(args.gender ? { gender: args.gender } : {}),
    ...(args.postcode ? { postcode: args.postcode } : {}),
  };
}

/** True for a real calendar date written YYYY-MM-DD (so 2019-02-30 is not one). */
function isCalendarDate(value: string): boolean {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return false;
  const date = new Date(`${value}T00:00:00Z`);
  return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
}
