import { join } from 'node:path';
import { responsePathAsArray, type GraphQLResolveInfo } from 'graphql';
import { badUserInput, ConfigError, env, ErrorCode, graphqlError, quoteInput, readEnv, validateIdentifierArg, type Authority, type Env } from '../../common';
import type { SubgraphContext } from '../create-subgraph';
import type { Database } from '../../database';
import { createRowLoader } from '../loaders';
import {
  addressKey,
  decideMatch,
  DEFAULT_THRESHOLDS,
  nameKey,
  normaliseDate,
  normalisePostcode,
  postcodeSector,
  swapDayAndMonth,
  type Demographics,
  type MatchThresholds,
} from '../../matching';
import { validateNhsNumberArg } from '../nhs-number-args';
import type { FactsNeeded, RecordFacts } from '../../policy';
import type { MatchingDeclaration } from './declaration';

/** The kit's migrations: the blocking keys' functions (any agency that matches or searches), and the decisions' tables (an agency that matches). */
export const BLOCKING_MIGRATIONS = { dir: join(__dirname, 'migrations', 'blocking'), namespace: 'matching-keys' } as const;
export const DECISION_MIGRATIONS = { dir: join(__dirname, 'migrations', 'decisions'), namespace: 'matching' } as const;

/** What the gateway hands the agency about a child, through `@requires`. */
export interface ChildDemographics {
  nhsNumber: string;
  name?: { given?: string | null; family?: string | null } | null;
  dateOfBirth?: string | null;
  address?: { line1?: string | null; town?: string | null; postcode?: string | null } | null;
  /** Identity's restricted flag; absent means it could not be told, and counts as restricted. */
  restricted?: boolean | null;
}

/** One child to find: the loader's key, the NHS number and the demographics it is matched on. */
export interface MatchRequest {
  key: string;
  nhsNumber: string;
  query: Demographics;
  postcodeWithheld: boolean;
}

/** What every candidate row of the agency's SQL carries besides its own columns. */
export interface CandidateRow {
  /** The match request's key (the first column of the kit's blocking keys, `k.key`). */
  key: string;
  /** The agency's own reference for the person. */
  reference: string;
  /** The organisation that holds the record (a landlord, a police force). */
  holder: string;
  /** The NHS number a person confirmed for this reference, if any (`x.nhs_number`). */
  confirmed_nhs: string | null;
  /** Whether a person rejected this reference for this child (`r.reference IS NOT NULL`). */
  rejected: boolean;
}

/** A record proposed as possibly this child, for a person to confirm or reject. */
export interface PossibleMatch {
  reference: string;
  confidence: number;
  matchedOn: string[];
  holder: string;
}

/** What matching found for one child. */
export interface Match<Row> {
  /** Confirmed by a person (the NHS number cross-referenced), matched on demographics, or only possible. */
  status: 'confirmed' | 'matched' | 'possible';
  /** The matched record; null when there are only possible matches. */
  row: Row | null;
  reference: string | null;
  matchConfidence: number | null;
  matchedOn: string[] | null;
  /** Trace status semantics: 01 verified (a person confirmed it), 02 present but not traced. */
  nhsNumberStatus: '01' | '02' | null;
  possibleMatches: PossibleMatch[];
  /** The organisations whose records these are: the holder relationship is read from them. */
  holders: string[];
}

/** What the agency writes: its SQL, and how its rows read as demographics. */
export interface RecordMatchingCode<Row extends CandidateRow> {
  /**
   * The candidates of every child in the batch, in one statement: the agency's SQL over the kit's blocking keys
   * (`MATCHING_SQL.keys` as the first CTE, with `parameters` as its parameters) and its decisions
   * (`MATCHING_SQL.decisions`). Candidates a person confirmed for the child (`MATCHING_SQL.confirmed`) must be among them.
   */
  candidates(db: Database, parameters: unknown[]): Promise<Row[]>;
  /** A candidate as matching compares it with the child. */
  demographics(row: Row): Demographics;
  /** For a decision: who holds the record with this reference; null when the agency does not know it. */
  holderOf(db: Database, reference: string): Promise<string | null>;
}

/** SQL the agency's candidate statement is written with. */
export const MATCHING_SQL = {
  /** The first CTE: one row of blocking keys per child (shared/matching/blocking.ts names the rules). */
  keys: `k AS (
       SELECT * FROM unnest($1::text[], $2::text[], $3::date[], $4::date[], $5::text[], $6::text[], $7::text[], $8::text[], $9::date[], $10::text[])
         AS k(key, nhs, dob, dob_swapped, postcode, sector, gk, fk, month, ak)
     )`,
  /** A UNION branch of the candidates CTE `c(key, nhs, reference)`: the references a person confirmed as the child. */
  confirmed: 'SELECT k.key, k.nhs, x.reference FROM k JOIN service.nhs_cross_reference x ON x.nhs_number = k.nhs',
  /** Joins each candidate (`c`, with `reference` the given expression) to people's decisions on it. */
  decisions: (reference: string) => `LEFT JOIN service.nhs_cross_reference x ON x.reference = ${reference}
       LEFT JOIN service.match_rejection r ON r.reference = ${reference} AND r.nhs_number = c.nhs`,
  /** The decision columns every candidate row carries. */
  decisionColumns: 'x.nhs_number AS confirmed_nhs, (r.reference IS NOT NULL) AS rejected',
  /** The candidate's month of birth is the child's (`date` a date column). */
  inMonth: (date: string) => `${date} >= k.month AND ${date} < (k.month + interval '1 month')::date`,
} as const;

/** A child's demographics from identity, as matching compares them. */
export function childDemographics(child: ChildDemographics): Demographics {
  const address = child.address;
  return {
    given: child.name?.given ?? null,
    family: child.name?.family ?? null,
    dateOfBirth: child.dateOfBirth ?? null,
    addresses: address?.postcode || address?.line1 ? [{ lines: [address.line1 ?? null], town: address.town ?? null, postcode: address.postcode ?? null }] : [],
  };
}

/** The loader key for a child: its NHS number and the demographics it is matched on. */
export function matchRequestFor(child: ChildDemographics): MatchRequest {
  const query = childDemographics(child);
  const a = child.address;
  // Identity withholds a restricted child's address: the agency matches on the rest and says so.
  const postcodeWithheld = !a?.postcode;
  return {
    key: JSON.stringify([child.nhsNumber, query.given, query.family, query.dateOfBirth, a?.line1 ?? null, a?.town ?? null, a?.postcode ?? null]),
    nhsNumber: child.nhsNumber,
    query,
    postcodeWithheld,
  };
}

/** Each request's blocking codes, as the parameters of `MATCHING_SQL.keys`. */
export function blockingParameters(requests: readonly MatchRequest[]): unknown[] {
  const column = <T>(f: (q: Demographics, r: MatchRequest) => T) => requests.map((r) => f(r.query, r));
  const dob = (q: Demographics) => {
    const digits = q.dateOfBirth ? normaliseDate(q.dateOfBirth) : null;
    return digits ? `${digits.slice(0, 4)}-${digits.slice(4, 6)}-${digits.slice(6)}` : null;
  };
  const postcode = (q: Demographics) => (q.addresses?.[0]?.postcode ? normalisePostcode(q.addresses[0].postcode) || null : null);
  return [
    column((_, r) => r.key),
    column((_, r) => r.nhsNumber),
    column((q) => dob(q)),
    column((q) => (dob(q) ? swapDayAndMonth(dob(q)!) : null)),
    column((q) => postcode(q)),
    column((q) => {
      const p = postcode(q);
      return p ? postcodeSector(p) : null;
    }),
    column((q) => (q.given ? nameKey(q.given) || null : null)),
    column((q) => (q.family ? nameKey(q.family) || null : null)),
    column((q) => (dob(q) ? `${dob(q)!.slice(0, 7)}-01` : null)),
    column((q) => (q.addresses?.[0]?.lines?.[0] ? addressKey(q.addresses[0].lines[0]) : null)),
  ];
}

/** The agency's matching settings: `<AGENCY>_MATCH_THRESHOLD` and `<AGENCY>_REVIEW_THRESHOLD`, probabilities of a match. */
export interface MatchSettings {
  thresholds: MatchThresholds;
}

export interface MatchLoader<Row> {
  load(child: ChildDemographics): Promise<Match<Row> | null>;
}

/** What the loaders of an agency that matches hold: the kit's match loader as `match`. */
export interface MatchingLoaders<Row> {
  match: MatchLoader<Row>;
}

/** The runtime of an agency's record matching: the declaration (matching.yaml) and the agency's code, put together. */
export interface RecordMatching<Row extends CandidateRow> {
  declaration: MatchingDeclaration;
  // `this: void` on what an agency hands on without its object (readSettings, matchFacts, childFacts). Methods still, not
  // function-typed properties, so that an agency's RecordMatching<ItsRow> is a RecordMatching<CandidateRow> to the kit.
  readSettings(this: void, source: Env): MatchSettings;
  createMatchLoader(db: Database, settings?: MatchSettings): MatchLoader<Row>;
  /** Resolves the agency's field on `Child` to the match (null when nothing comes close), recording it for the audit log. */
  resolveChild(child: ChildDemographics, ctx: SubgraphContext<MatchingLoaders<Row>>, info: GraphQLResolveInfo): Promise<Match<Row> | null>;
  /** The possible matches a caller is shown: a holder's practitioner only their own organisation's. */
  possibleMatches(match: Match<Row>, ctx: SubgraphContext<unknown>): PossibleMatch[];
  /** The holder relationship, read from a match. */
  matchFacts(this: void, match: Match<Row>, authority: Authority): RecordFacts;
  /** The facts of `Child` (whose parent is only the demographics): the restriction, and the holder relationship when a rule needs it. */
  childFacts(
    this: void,
    child: ChildDemographics,
    authority: Authority,
    ctx: SubgraphContext<MatchingLoaders<Row>>,
    needed?: FactsNeeded,
  ): RecordFacts | Promise<RecordFacts>;
  /** `Mutation.confirm<Noun>Match` and `Mutation.reject<Noun>Match`. */
  mutations: Record<string, (parent: unknown, args: DecisionArgs, ctx: SubgraphContext<unknown>, info: GraphQLResolveInfo) => Promise<Decision>>;
}

interface DecisionArgs {
  nhsNumber: string;
  reference: string;
}
interface DecisionRow {
  nhs_number: string;
  reference: string;
  decided_by_name: string;
  decided_by_org: string;
  decided_at: string;
}
interface Decision {
  nhsNumber: string;
  reference: string;
  decision: 'CONFIRMED' | 'REJECTED';
  decidedBy: string;
  decidedAt: string;
}

const noRelationships = (): RecordFacts => ({ relationships: new Set<string>(), consented: false, restricted: false });

/**
 * Record matching for an agency that holds no NHS number: it declares what it matches on (matching.yaml)
 * and writes its candidates' SQL; the kit scores them with the shared model, decides the match and
 * possible-match bands, records people's decisions, and gives the holder relationship.
 */
export function defineRecordMatching<Row extends CandidateRow>(
  agency: string,
  declaration: MatchingDeclaration,
  code: RecordMatchingCode<Row>,
): RecordMatching<Row> {
  const prefix = agency.toUpperCase();
  const { holder, noun, person } = declaration;
  const holds = (authority: Authority | null | undefined, holders: readonly string[]) =>
    authority?.caller.orgType === holder.orgType && holders.includes(authority.caller.org);

  async function findMatches(db: Database, requests: readonly MatchRequest[], thresholds: MatchThresholds): Promise<(Match<Row> & { key: string })[]> {
    const rows = await code.candidates(db, blockingParameters(requests));
    const byKey = new Map<string, Row[]>();
    for (const row of rows) {
      const candidates = byKey.get(row.key);
      if (candidates) candidates.push(row);
      else byKey.set(row.key, [row]);
    }
    return requests.flatMap((request) => {
      const match = decide(request, byKey.get(request.key) ?? [], thresholds);
      return match ? [{ key: request.key, ...match }] : [];
    });
  }

  function decide(request: MatchRequest, candidates: Row[], thresholds: MatchThresholds): Match<Row> | null {
    const confirmed = candidates.find((c) => c.confirmed_nhs === request.nhsNumber);
    if (confirmed) return matched(confirmed, 'confirmed', 1, ['nhsNumber']);
    // A reference confirmed as another child is nobody else's; one rejected for this child is never proposed again.
    const open = candidates.filter((c) => c.confirmed_nhs === null && !c.rejected);
    const decision = decideMatch(
      request.query,
      open.map((row) => ({ candidate: row, demographics: code.demographics(row) })),
      thresholds,
      { postcodeWithheld: request.postcodeWithheld },
    );
    if (decision.outcome === 'match') return matched(decision.best.candidate, 'matched', decision.best.score, decision.best.matchedOn);
    if (decision.outcome === 'none') return null;
    const possibleMatches = decision.candidates.map((s) => ({
      reference: s.candidate.reference,
      confidence: s.score,
      matchedOn: s.matchedOn,
      holder: s.candidate.holder,
    }));
    return {
      status: 'possible',
      row: null,
      reference: null,
      matchConfidence: null,
      matchedOn: null,
      nhsNumberStatus: null,
      possibleMatches,
      holders: [...new Set(possibleMatches.map((p) => p.holder))],
    };
  }

  function matched(row: Row, status: 'confirmed' | 'matched', confidence: number, matchedOn: string[]): Match<Row> {
    return {
      status,
      row,
      reference: row.reference,
      matchConfidence: confidence,
      matchedOn,
      nhsNumberStatus: status === 'confirmed' ? '01' : '02',
      possibleMatches: [],
      holders: [row.holder],
    };
  }

  /**
   * Records a person's decision on a possible match, with who, for what purpose, in which request, and when. A
   * confirmation makes the agency hold the NHS number against the reference; a rejection keeps the pair from being
   * proposed again, and undoes a confirmation of the same pair.
   */
  async function record(ctx: SubgraphContext<unknown>, args: DecisionArgs, decision: 'CONFIRMED' | 'REJECTED', info: GraphQLResolveInfo): Promise<Decision> {
    const authority = ctx.authority as Authority;
    const nhsNumber = validateNhsNumberArg(args.nhsNumber);
    const reference = validateIdentifierArg(args.reference, 'reference');
    const owner = await code.holderOf(ctx.db, reference);
    if (owner === null) throw badUserInput(`reference: ${quoteInput(reference)} is not a ${person} ${agency} knows`, { argument: 'reference' });
    const { caller } = authority;
    if (caller.orgType === holder.orgType && caller.org !== owner) {
      throw graphqlError(ErrorCode.FORBIDDEN, `Not authorised to decide on ${reference}: it is another ${holder.orgType}'s record`, {
        policy: declaration.policies.decision,
        reason: `the reference is not in a record of the caller's own ${holder.orgType}`,
      });
    }
    const by = [caller.sub, caller.name, caller.org, authority.purpose, authority.traceId];
    let row: DecisionRow | undefined;
    if (decision === 'CONFIRMED') {
      const [current] = await ctx.db.query<{ nhs_number: string }>('SELECT nhs_number FROM service.nhs_cross_reference WHERE reference = $1', [reference]);
      if (current && current.nhs_number !== nhsNumber)
        throw badUserInput(`reference: ${reference} is already confirmed as another child; reject that match first`, { argument: 'reference' });
      const [other] = await ctx.db.query<{ reference: string }>('SELECT reference FROM service.nhs_cross_reference WHERE nhs_number = $1 AND reference <> $2', [
        nhsNumber,
        reference,
      ]);
      if (other) throw badUserInput(`nhsNumber: ${nhsNumber} is already confirmed as ${other.reference}; reject that match first`, { argument: 'nhsNumber' });
      [row] = await ctx.db.query<DecisionRow>(
        `WITH cleared AS (DELETE FROM service.match_rejection WHERE nhs_number = $1 AND reference = $2)
         INSERT INTO service.nhs_cross_reference (nhs_number, reference, confirmed_by, confirmed_by_name, confirmed_by_org, purpose, trace_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (reference) DO UPDATE SET reference = EXCLUDED.reference
         RETURNING nhs_number, reference, confirmed_by_name AS decided_by_name, confirmed_by_org AS decided_by_org, confirmed_at::text AS decided_at`,
        [nhsNumber, reference, ...by],
      );
    } else {
      [row] = await ctx.db.query<DecisionRow>(
        `WITH undone AS (DELETE FROM service.nhs_cross_reference WHERE nhs_number = $1 AND reference = $2)
         INSERT INTO service.match_rejection (nhs_number, reference, rejected_by, rejected_by_name, rejected_by_org, purpose, trace_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (nhs_number, reference) DO UPDATE SET rejected_by = EXCLUDED.rejected_by, rejected_by_name = EXCLUDED.rejected_by_name,
           rejected_by_org = EXCLUDED.rejected_by_org, purpose = EXCLUDED.purpose, trace_id = EXCLUDED.trace_id, rejected_at = now()
         RETURNING nhs_number, reference, rejected_by_name AS decided_by_name, rejected_by_org AS decided_by_org, rejected_at::text AS decided_at`,
        [nhsNumber, reference, ...by],
      );
    }
    // Each decision is also a row in the agency's audit log, for the child it is about.
    ctx.audit.child(responsePathAsArray(info.path), row!.nhs_number, row!.reference);
    return {
      nhsNumber: row!.nhs_number,
      reference: row!.reference,
      decision,
      decidedBy: `${row!.decided_by_name} (${row!.decided_by_org})`,
      decidedAt: new Date(row!.decided_at).toISOString(),
    };
  }

  const matching: RecordMatching<Row> = {
    declaration,
    readSettings(source) {
      const values = readEnv(
        { [`${prefix}_MATCH_THRESHOLD`]: env.fraction(DEFAULT_THRESHOLDS.match), [`${prefix}_REVIEW_THRESHOLD`]: env.fraction(DEFAULT_THRESHOLDS.review) },
        source,
      ) as Record<string, number>;
      const thresholds = { match: values[`${prefix}_MATCH_THRESHOLD`]!, review: values[`${prefix}_REVIEW_THRESHOLD`]! };
      if (thresholds.review > thresholds.match) {
        throw new ConfigError(
          `Invalid configuration:\n  ${prefix}_REVIEW_THRESHOLD="${thresholds.review}": must not be above ${prefix}_MATCH_THRESHOLD (${thresholds.match})`,
        );
      }
      return { thresholds };
    },
    createMatchLoader(db, settings = { thresholds: DEFAULT_THRESHOLDS }) {
      const requests = new Map<string, MatchRequest>();
      const loader = createRowLoader<string, Match<Row> & { key: string }>(
        (keys) =>
          findMatches(
            db,
            keys.map((k) => requests.get(k)!),
            settings.thresholds,
          ),
        (m) => m.key,
      );
      return {
        load(child) {
          const request = matchRequestFor(child);
          requests.set(request.key, request);
          return loader.load(request.key);
        },
      };
    },
    async resolveChild(child, ctx, info) {
      const match = await ctx.loaders.match.load(child);
      // The agency's own reference for the record goes into its audit log beside the NHS number it was given.
      const reference = match?.reference ?? (match?.possibleMatches.map((p) => p.reference).join(',') || null);
      if (reference) ctx.audit.child(responsePathAsArray(info.path).slice(0, -1), child.nhsNumber, reference);
      return match;
    },
    possibleMatches(match, ctx) {
      const caller = ctx.authority?.caller;
      return caller?.orgType === holder.orgType ? match.possibleMatches.filter((p) => p.holder === caller.org) : match.possibleMatches;
    },
    matchFacts(match, authority) {
      return { ...noRelationships(), relationships: new Set(holds(authority, match.holders) ? [holder.relationship] : []) };
    },
    childFacts(child, authority, ctx, needed) {
      // A child identity did not say is unrestricted is treated as restricted: nothing of its records is shown.
      const restricted = child.restricted !== false;
      if (needed && !needed.relationships) return { ...noRelationships(), restricted };
      return ctx.loaders.match.load(child).then((match) => ({ ...(match ? matching.matchFacts(match, authority) : noRelationships()), restricted }));
    },
    mutations: {
      [`confirm${noun}Match`]: (_, args, ctx, info) => record(ctx, args, 'CONFIRMED', info),
      [`reject${noun}Match`]: (_, args, ctx, info) => record(ctx, args, 'REJECTED', info),
    },
  };
  return matching;
}
