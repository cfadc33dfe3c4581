import { join } from 'node:path';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { Kind, valueFromASTUntyped, type GraphQLFormattedError } from 'graphql';
import type { Authority } from './authority';
import type { Database } from './database';
import { ErrorCode, formattedError } from './errors';
import type { Logger } from './logger';
import { migrate } from './migrate';
import type { PolicyMap } from './policy-map';

/** The subgraph kit's own migrations (the audit log), applied to every agency's database. */
export const AUDIT_MIGRATIONS_DIR = join(__dirname, 'audit-migrations');

export function migrateAudit(db: Database): Promise<string[]> {
  return migrate(db, AUDIT_MIGRATIONS_DIR, 'kit');
}

/** What one request was given about one child. */
export interface ChildDisclosure {
  /** Null when the agency holds no NHS number for the record (police, before a person confirms a match): its own reference then says whose it is. */
  nhsNumber: string | null;
  /** The agency's own reference for the record, where it keys records otherwise (housing). */
  localReference: string | null;
  /** Fields given, as paths below the child (`socialCare.allocatedWorker.name`); lists are crossed. */
  disclosed: string[];
  /** Fields withheld, with the policy and the reason. */
  denied: { field: string; policy: string; reason: string }[];
}

/** One disclosure: what one request was given by this agency, child by child. */
export interface AuditEntry {
  traceId: string;
  caller: { sub: string; name: string; roles: string[]; org: string; orgType: string };
  purpose: string;
  /** The break-glass justification, when the request declared an emergency. */
  breakGlass: string | null;
  /** `query` or `mutation`, and its name when it has one. */
  operation: { type: string; name: string | null };
  /** Each child the response was about. */
  children: ChildDisclosure[];
  /** Why the disclosure was lawful: the policies that allowed the children's fields, and the purpose. */
  basis: { policies: string[]; lawfulBasis: string };
  /** Set by the database as the row is appended. */
  at?: string;
}

/** A child the response is about, at a response path; registered by resolvers and by `_entities`. */
export interface AuditCollector {
  child(path: readonly (string | number)[], nhsNumber: string | null, localReference?: string | null): void;
}

interface Collected { path: readonly (string | number)[]; nhsNumber: string | null; localReference: string | null }

export function createAuditCollector(): AuditCollector & { collected: Map<string, Collected> } {
  const collected = new Map<string, Collected>();
  return {
    collected,
    child(path, nhsNumber, localReference = null) {
      const key = path.length === 2 ? `${path[0]}.${path[1]}` : path.join('.');
      const existing = collected.get(key);
      collected.set(key, { path, nhsNumber, localReference: localReference ?? existing?.localReference ?? null });
    },
  };
}

/**
 * Entries travel to the database as one text, separated by a character that
 * JSON.stringify never writes unescaped, so a caseload's entry is sent as it
 * is rather than quoted element by element as a text[] literal.
 */
const ENTRY_SEPARATOR = '\x1e';

/**
 * An entry as it is kept: the children of one response mostly share what they
 * were given, so each distinct combination of fields disclosed and denied is
 * written once (`shapes`) and each child names its shape: `[nhsNumber,
 * localReference, shape]`. A 500-child caseload's entry is then a few KB, not
 * a few hundred. The view `service.audit_entry` gives it back whole.
 */
function storedEntry(entry: AuditEntry): string {
  const { children } = entry;
  const shapes: Pick<ChildDisclosure, 'disclosed' | 'denied'>[] = [];
  const shapeIndex = new Map<string, number>();
  // Children given the same fields mostly share one array of them (the plugin's shapes): its index is found by the array first.
  const indexOfArray = new Map<readonly string[], number>();
  const compact = children.map((child) => {
    let index = child.denied.length === 0 ? indexOfArray.get(child.disclosed) : undefined;
    if (index === undefined) {
      const key = child.denied.length === 0 ? child.disclosed.join('\n') : `${child.disclosed.join('\n')}\n\n${JSON.stringify(child.denied)}`;
      index = shapeIndex.get(key);
      if (index === undefined) {
        shapeIndex.set(key, (index = shapes.length));
        shapes.push({ disclosed: child.disclosed, denied: child.denied });
      }
      if (child.denied.length === 0) indexOfArray.set(child.disclosed, index);
    }
    return [child.nhsNumber, child.localReference, index];
  });
  // Written field by field, in the order AuditEntry declares them (a rest spread of the entry costs more than the JSON itself).
  const { traceId, caller, purpose, breakGlass, operation, basis, at } = entry;
  return JSON.stringify({ traceId, caller, purpose, breakGlass, operation, basis, at, shapes, children: compact });
}

const isAuditEntry = (e: AuditEntry | Record<string, unknown>): e is AuditEntry => Array.isArray((e as AuditEntry).children);

/** Where an agency's chain stands: the number and hash of its newest row. */
export interface AuditHead { seq: number; hash: string }

/**
 * The response extension in which a subgraph shows the gateway its chain's head once the
 * response's rows are appended; the gateway keeps it in its own log as a witness.
 */
export const AUDIT_HEAD_EXTENSION = 'auditHead';

/**
 * Appends entries (or the chain's own records, such as a purge) to the agency's hash chain in one statement,
 * serialised inside the database, and answers the chain's new head.
 */
export async function appendAudit(db: Database, entries: readonly (AuditEntry | Record<string, unknown>)[]): Promise<AuditHead | null> {
  if (entries.length === 0) return null;
  const [head] = await db.query<{ seq: string; hash: string }>(`SELECT head_seq::text AS seq, head_hash AS hash FROM service.append_audit($1::text[], $2::text[], string_to_array($3::text, E'\\x1e'))`, [
    entries.map((e) => (e as { caller?: { sub: string } }).caller?.sub ?? null),
    entries.map((e) => (isAuditEntry(e) ? e.children.flatMap((c) => (c.nhsNumber === null ? [] : [c.nhsNumber])).join(',') : '')),
    entries.map((e) => (isAuditEntry(e) ? storedEntry(e) : JSON.stringify(e))).join(ENTRY_SEPARATOR),
  ], { prepare: true });
  if (!head) throw new Error('service.append_audit answered no head');
  return { seq: Number(head.seq), hash: head.hash };
}

/**
 * Group commit for the audit log: while one append is committing, the entries
 * of every response that arrives are gathered, and appended together as soon
 * as it is done, in one statement and one commit. Each response still waits
 * for its own entries to be committed (or to fail) before it leaves, so
 * nothing is disclosed unrecorded; only the cost of a commit is shared. Each
 * learns the chain's head after its batch, which links back to its own rows.
 */
export function createAuditWriter(db: Database): (entries: readonly AuditEntry[]) => Promise<AuditHead | null> {
  let inFlight: Promise<void> | null = null;
  let waiting: { entries: AuditEntry[]; done: Promise<AuditHead | null>; settle: (head: AuditHead | null, error?: unknown) => void } | null = null;
  const flush = (): Promise<AuditHead | null> => {
    const batch = waiting!;
    waiting = null;
    inFlight = appendAudit(db, batch.entries).then(
      (head) => batch.settle(head),
      (error) => batch.settle(null, error ?? new Error('audit append failed')),
    ).finally(() => {
      inFlight = null;
      if (waiting) void flush();
    });
    return batch.done;
  };
  return (entries) => {
    if (entries.length === 0) return Promise.resolve(null);
    if (!waiting) {
      let settle!: (head: AuditHead | null, error?: unknown) => void;
      const done = new Promise<AuditHead | null>((resolve, reject) => {
        settle = (head, error) => (error ? reject(error) : resolve(head));
      });
      waiting = { entries: [], done, settle };
    }
    waiting.entries.push(...entries);
    const done = waiting.done;
    if (!inFlight) void flush();
    return done;
  };
}

export function auditUnavailable(): GraphQLFormattedError {
  return formattedError(ErrorCode.AUDIT_UNAVAILABLE, 'The disclosure could not be recorded in the agency\'s audit log, so nothing is disclosed.');
}

const lawfulBasis = (purpose: string) =>
  ({
    'direct-care': 'direct care (UK GDPR art. 9(2)(h))',
    'emergency-care': 'vital interests in an emergency (UK GDPR art. 9(2)(c))',
    safeguarding: 'safeguarding children (DPA 2018 Sch 1 para 18)',
    audit: 'audit of disclosures',
  })[purpose] ?? purpose;

/**
 * The audit layer, as an Apollo Server plugin: after execution and before the
 * response leaves, one entry per child the response is about (registered in
 * `context.audit`, and every `_entities` representation) is appended to the
 * agency's chain, with the fields given and those withheld. If the entries
 * cannot be written, the response is replaced by AUDIT_UNAVAILABLE: nothing
 * is disclosed that is not recorded.
 */
export function createAuditPlugin<C extends { authority: Authority | null; audit: AuditCollector }>(options: {
  db: Database;
  logger: Logger;
  policyMap: PolicyMap;
  agency: string;
  /** What the agency does besides auditing once disclosures are recorded (social care notifies the child's local authority). */
  onDisclosed?: (db: Database, entries: readonly AuditEntry[], context: C) => Promise<void>;
}): ApolloServerPlugin<C> {
  const write = createAuditWriter(options.db);
  // The policies that can grant each top-level field of Child, once.
  const ownPolicies = new Map<string, string[]>();
  const policiesOf = (top: string): string[] => {
    let found = ownPolicies.get(top);
    if (!found) {
      found = (options.policyMap.get(`Child.${top}`) ?? []).flat().filter((p) => p.startsWith(`${options.agency}:`));
      ownPolicies.set(top, found);
    }
    return found;
  };
  // The policies that can grant a root field of this agency's (`Query.myCaseload`): the list a root field answers with
  // is itself a disclosure (which children a worker holds), so its policy is part of each entry's basis.
  const rootPolicies = new Map<string, string[]>();
  const policiesOfRoot = (field: string): string[] => {
    let found = rootPolicies.get(field);
    if (!found) {
      found = (options.policyMap.get(field) ?? []).flat().filter((p) => p.startsWith(`${options.agency}:`));
      rootPolicies.set(field, found);
    }
    return found;
  };
  // Responses to the same operation mostly disclose the same paths: each such shape is sorted, and the
  // policies that could grant it found, once (the arrays are frozen, since every entry of that shape shares them).
  const shapes = new Map<string, { disclosed: string[]; policies: string[] }>();
  const shapeOf = (found: string[]) => {
    const key = found.join('\n');
    let shape = shapes.get(key);
    if (!shape) {
      if (shapes.size >= 1000) shapes.clear();
      const disclosed = Object.freeze([...found].sort()) as string[];
      const policies = new Set<string>();
      for (const field of disclosed) for (const p of policiesOf(field.split('.', 1)[0]!)) policies.add(p);
      shapes.set(key, (shape = { disclosed, policies: Object.freeze([...policies]) as string[] }));
    }
    return shape;
  };
  const entriesOf = (rc: GraphQLRequestContext<C>): AuditEntry[] => {
    const authority = rc.contextValue.authority;
    const body = rc.response.body;
    if (!authority || !body || body.kind !== 'single' || !rc.operation) return [];
    const collector = rc.contextValue.audit as ReturnType<typeof createAuditCollector>;
    // Every `_entities` representation is a child (whatever its argument is called or written as).
    for (const selection of rc.operation.selectionSet.selections) {
      if (selection.kind !== Kind.FIELD || selection.name.value !== '_entities') continue;
      const argument = selection.arguments?.find((a) => a.name.value === 'representations');
      const representations = argument ? (valueFromASTUntyped(argument.value, rc.request.variables ?? {}) as { nhsNumber?: unknown }[] | null) : null;
      const key = selection.alias?.value ?? '_entities';
      (representations ?? []).forEach((r, i) => typeof r?.nhsNumber === 'string' && collector.child([key, i], r.nhsNumber));
    }
    if (collector.collected.size === 0) return [];
    const result = body.singleResult;
    // Each denial belongs to the child (or children) whose path it lies under.
    const deniedAt = new Map<string, ChildDisclosure['denied']>();
    for (const e of result.errors ?? []) {
      if (e.extensions?.code !== ErrorCode.FORBIDDEN || !e.path) continue;
      for (let n = 1; n <= e.path.length; n++) {
        const key = e.path.slice(0, n).join('.');
        if (!collector.collected.has(key)) continue;
        let denied = deniedAt.get(key);
        if (!denied) deniedAt.set(key, (denied = []));
        denied.push({ field: fieldPath(e.path.slice(n)), policy: String(e.extensions?.policy ?? ''), reason: String(e.extensions?.reason ?? e.message) });
      }
    }
    const children: ChildDisclosure[] = [];
    // The children of one response mostly share their shape: each path is a node of one tree, joined once,
    // and a child whose leaves are the nodes of a shape this response has met is matched without a key.
    const root = pathNode('');
    const used = new Set<{ disclosed: string[]; policies: string[] }>();
    let walk = 0;
    const met: { nodes: PathNode[]; shape: { disclosed: string[]; policies: string[] } }[] = [];
    for (const [key, { path, nhsNumber, localReference }] of collector.collected) {
      const value = valueAt(result.data, path);
      const found: PathNode[] = [];
      walk++;
      if (value !== null && value !== undefined) leafNodes(value, root, found, walk);
      const denied = deniedAt.get(key) ?? NOTHING_DENIED;
      if (found.length === 0 && denied.length === 0) continue;
      let shape = met.find((m) => sameNodes(m.nodes, found))?.shape;
      if (!shape) {
        shape = shapeOf(found.map((node) => node.path));
        if (met.length < 8) met.push({ nodes: [...found], shape });
      }
      used.add(shape);
      children.push({ nhsNumber, localReference, disclosed: shape.disclosed, denied });
    }
    if (children.length === 0) return [];
    const policies = new Set<string>();
    for (const shape of used) for (const p of shape.policies) policies.add(p);
    const rootType = rc.operation.operation === 'mutation' ? 'Mutation' : 'Query';
    for (const selection of rc.operation.selectionSet.selections) {
      if (selection.kind === Kind.FIELD && selection.name.value !== '_entities') for (const p of policiesOfRoot(`${rootType}.${selection.name.value}`)) policies.add(p);
    }
    return [{
      traceId: authority.traceId,
      caller: { sub: authority.caller.sub, name: authority.caller.name, roles: [...authority.caller.roles], org: authority.caller.org, orgType: authority.caller.orgType },
      purpose: authority.purpose,
      breakGlass: authority.breakGlass ?? null,
      operation: { type: rc.operation.operation, name: rc.operationName ?? null },
      children,
      basis: { policies: [...policies].sort(), lawfulBasis: authority.breakGlass ? `break-glass: ${lawfulBasis(authority.purpose)}` : lawfulBasis(authority.purpose) },
    }];
  };
  return {
    async requestDidStart() {
      return {
        async willSendResponse(rc: GraphQLRequestContext<C>) {
          try {
            // Working out what the response discloses is part of recording it: if either fails, nothing is disclosed.
            const entries = entriesOf(rc);
            if (entries.length === 0) return;
            const head = await write(entries);
            await options.onDisclosed?.(options.db, entries, rc.contextValue);
            if (head && rc.response.body?.kind === 'single') {
              const result = rc.response.body.singleResult;
              result.extensions = { ...result.extensions, [AUDIT_HEAD_EXTENSION]: head };
            }
          } catch (error) {
            options.logger.error({ err: error, traceId: rc.contextValue.authority?.traceId }, 'could not write the audit log: nothing disclosed');
            if (rc.response.body?.kind === 'single') rc.response.body.singleResult = { data: null, errors: [auditUnavailable()] };
          }
        },
      };
    },
  };
}

function sameNodes(a: readonly PathNode[], b: readonly PathNode[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const NOTHING_DENIED: ChildDisclosure['denied'] = Object.freeze([]) as never;

/** A path below a child in one response: each key below it is one node, its path joined once. `seen` numbers the last child's walk that found it. */
interface PathNode { path: string; below: Map<string, PathNode> | null; seen: number }

const pathNode = (path: string): PathNode => ({ path, below: null, seen: 0 });

function below(node: PathNode, key: string): PathNode {
  const nodes = (node.below ??= new Map());
  let next = nodes.get(key);
  if (!next) nodes.set(key, (next = pathNode(node.path ? `${node.path}.${key}` : key)));
  return next;
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let value = data;
  for (const key of path) {
    if (value === null || value === undefined || typeof value !== 'object') return undefined;
    value = (value as Record<string | number, unknown>)[key];
  }
  return value;
}

/** The fields a child was given: each leaf (a value, an empty list, or an object holding only nulls) once, in the order first met in this walk. */
function leafNodes(value: unknown, node: PathNode, out: PathNode[], walk: number): void {
  if (Array.isArray(value)) {
    for (const item of value) if (item !== null && item !== undefined) leafNodes(item, node, out, walk);
    if (value.length === 0) leaf(node, out, walk);
    return;
  }
  if (value !== null && typeof value === 'object') {
    let given = false;
    for (const key in value) {
      const v = (value as Record<string, unknown>)[key];
      if (key === '__typename' || v === null || v === undefined) continue;
      given = true;
      leafNodes(v, below(node, key), out, walk);
    }
    // An object given with nothing but nulls in it still says it exists (housing with possible matches only): the object is what was disclosed.
    if (!given) leaf(node, out, walk);
    return;
  }
  leaf(node, out, walk);
}

function leaf(node: PathNode, out: PathNode[], walk: number): void {
  if (!node.path || node.seen === walk) return;
  node.seen = walk;
  out.push(node);
}

const fieldPath = (path: readonly (string | number)[]) => path.filter((p) => typeof p === 'string').join('.');

/**
 * Retention: deletes the rows of whole days before `keepDays` ago (as the
 * database's owner; the service role may not delete) and records the purge in
 * the chain, with the last purged row's hash, so that verification starts from
 * there. One transaction.
 */
export async function purgeAudit(owner: Database, keepDays: number): Promise<{ purged: number; through: number | null }> {
  await owner.exec('BEGIN');
  try {
    await owner.query('SELECT pg_advisory_xact_lock(7310002)');
    // The newest row before the cutoff, found from the end by the key, and the rows it closes (not an aggregate over every hash).
    const [last] = await owner.query<{ seq: string; hash: string; n: string; before: string }>(
      `WITH cutoff AS (SELECT (current_date - $1::int) AS before),
            newest AS (SELECT l.seq, l.hash FROM service.audit_log l WHERE l.at < (SELECT before FROM cutoff) ORDER BY l.seq DESC LIMIT 1)
       SELECT newest.seq::text AS seq, newest.hash, (SELECT count(*) FROM service.audit_log WHERE seq <= newest.seq)::text AS n, (SELECT before FROM cutoff)::text AS before
         FROM newest`,
      [keepDays],
    );
    const through = last?.seq ? Number(last.seq) : null;
    if (through !== null) {
      // The purge is recorded at the end of the chain first, then the rows go.
      await appendAudit(owner, [{ kind: 'purge', purgedThrough: through, lastHash: last!.hash, rows: Number(last!.n), before: last!.before, keepDays }]);
      await owner.query('DELETE FROM service.audit_log WHERE seq <= $1', [through]);
    }
    await owner.exec('COMMIT');
    return { purged: through === null ? 0 : Number(last!.n), through };
  } catch (error) {
    await owner.exec('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
