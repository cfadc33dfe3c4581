import type { BaseContext, GraphQLRequestContext } from '@apollo/server';
import { Kind, OperationTypeNode, valueFromASTUntyped } from 'graphql';
import { ErrorCode, type Authority } from '../common';
import type { PolicyMap } from '../policy';

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

interface Collected {
  path: readonly (string | number)[];
  nhsNumber: string | null;
  localReference: string | null;
}

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

/** What a request's context holds for its audit: who asked, and the children its response is about. */
export interface AuditedContext extends BaseContext {
  authority: Authority | null;
  audit: AuditCollector;
}

const lawfulBasis = (purpose: string) =>
  ({
    'direct-care': 'direct care (UK GDPR art. 9(2)(h))',
    'emergency-care': 'vital interests in an emergency (UK GDPR art. 9(2)(c))',
    safeguarding: 'safeguarding children (DPA 2018 Sch 1 para 18)',
    audit: 'audit of disclosures',
  })[purpose] ?? purpose;

/**
 * Reads what a response discloses: one entry per response, with one child for each child the response is
 * about (registered in `context.audit`, and every `_entities` representation), the fields it was given and
 * those withheld, and the policies and lawful basis the disclosure rested on. `agency`'s policies alone
 * count towards the basis. Shapes and policies are worked out once per shape, and kept between responses.
 */
export function createDisclosureReader({ policyMap, agency }: { policyMap: PolicyMap; agency: string }) {
  // The policies that can grant each top-level field of Child, once.
  const ownPolicies = new Map<string, string[]>();
  const policiesOf = (top: string): string[] => {
    let found = ownPolicies.get(top);
    if (!found) {
      found = (policyMap.get(`Child.${top}`) ?? []).flat().filter((p) => p.startsWith(`${agency}:`));
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
      found = (policyMap.get(field) ?? []).flat().filter((p) => p.startsWith(`${agency}:`));
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
  return <C extends AuditedContext>(rc: GraphQLRequestContext<C>): AuditEntry[] => {
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
        const { policy, reason } = e.extensions ?? {};
        denied.push({
          field: fieldPath(e.path.slice(n)),
          policy: typeof policy === 'string' ? policy : '',
          reason: typeof reason === 'string' ? reason : e.message,
        });
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
    const rootType = rc.operation.operation === OperationTypeNode.MUTATION ? 'Mutation' : 'Query';
    for (const selection of rc.operation.selectionSet.selections) {
      if (selection.kind === Kind.FIELD && selection.name.value !== '_entities')
        for (const p of policiesOfRoot(`${rootType}.${selection.name.value}`)) policies.add(p);
    }
    return [
      {
        traceId: authority.traceId,
        caller: {
          sub: authority.caller.sub,
          name: authority.caller.name,
          roles: [...authority.caller.roles],
          org: authority.caller.org,
          orgType: authority.caller.orgType,
        },
        purpose: authority.purpose,
        breakGlass: authority.breakGlass ?? null,
        operation: { type: rc.operation.operation, name: rc.operationName ?? null },
        children,
        basis: {
          policies: [...policies].sort(),
          lawfulBasis: authority.breakGlass ? `break-glass: ${lawfulBasis(authority.purpose)}` : lawfulBasis(authority.purpose),
        },
      },
    ];
  };
}

function sameNodes(a: readonly PathNode[], b: readonly PathNode[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

const NOTHING_DENIED: ChildDisclosure['denied'] = Object.freeze([]) as never;

/** A path below a child in one response: each key below it is one node, its path joined once. `seen` numbers the last child's walk that found it. */
interface PathNode {
  path: string;
  below: Map<string, PathNode> | null;
  seen: number;
}

const pathNode = (path: string): PathNode => ({ path, below: null, seen: 0 });

function below(node: PathNode, key: string): PathNode {
  const nodes = (node.below ??= new Map<string, PathNode>());
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
