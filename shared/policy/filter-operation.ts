import {
  getNamedType,
  isAbstractType,
  isCompositeType,
  Kind,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';

/** Why a field may not be read. */
export interface Denial {
  policy: string;
  reason: string;
}

/** A field removed from an operation, at a path of response keys (lists are crossed implicitly). */
export interface DeniedPath extends Denial {
  path: string[];
  /** The field removed at `path`. */
  coordinate: string;
  /**
   * The denied fields it stands for: itself, or, when it was removed because every sub-field was denied, those.
   * @default [coordinate]
   */
  coordinates?: string[];
  /**
   * For each object along the path, the concrete types it must have for the denial to apply (a field in a fragment
   * on a union member or an implementation); null where any will do. @default any, at every step
   */
  within?: (string[] | null)[];
}

export interface FilteredOperation {
  document: DocumentNode;
  denied: DeniedPath[];
  /** True when nothing at all was left to ask, so `{ __typename }` stands in for the operation. */
  empty: boolean;
  /** Where a `__typename` was added to tell apart the types a denial applies to (`within`), to be taken out again. */
  typenames?: string[][];
}

/**
 * Removes from an operation every field `decide` denies, so that nothing
 * denied is planned or fetched, and says where each removed field was. Named
 * fragments are inlined first, so that every field has one path. A field whose
 * every sub-field is denied is removed too, and reported in their place.
 * Inlining copies a fragment at every spread, so the result is as large as the
 * operation expanded: the operation limits (kit/operation-limits.ts) bound that
 * before this runs.
 *
 * Each field is decided on the coordinate of the type it is selected on: an
 * interface's (policy-map.ts says why that is enough), or a fragment's type
 * condition's. A field denied in a fragment on some of the types a list or
 * field may hold (a union member, an implementation) is denied only on
 * objects of those types: the parent selection is given a `__typename` (which
 * every layer reads as no disclosure), and `restoreDenied` reads it, then takes
 * it out where the client did not ask for one at that path.
 */
export function filterOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  decide: (coordinate: string) => Denial | null,
): FilteredOperation {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  const operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations[0];
  if (!operation) return { document, denied: [], empty: false };
  const root = schema.getRootType(operation.operation);
  if (!root) return { document, denied: [], empty: false };
  const denied: DeniedPath[] = [];
  // The fragments being inlined: validation refuses a cycle, but it must not loop here if one is ever met.
  const inlining = new Set<string>();
  const possible = (type: GraphQLCompositeType) => (isAbstractType(type) ? schema.getPossibleTypes(type).map((t) => t.name) : [type.name]);
  // Response paths where a `__typename` was added, and those where the client asks for one itself (then it stays).
  const added: string[][] = [];
  const asked = new Set<string>();

  // `at`: the path's keys, and for each object along it the types it must have (null: any); `types`: the concrete
  // types this selection set applies to, of `all` the field's type may be.
  type At = { path: string[]; within: (string[] | null)[]; types: readonly string[]; all: number };
  const filterSet = (set: SelectionSetNode, type: GraphQLCompositeType, at: At): SelectionNode[] => {
    const kept: SelectionNode[] = [];
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = filterField(selection, type, at.path, [...at.within, at.types.length < at.all ? [...at.types] : null]);
        if (field) kept.push(field);
      } else {
        const name = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : null;
        const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        if (!fragment || (name !== null && inlining.has(name))) continue;
        const on = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
        if (!on || !isCompositeType(on)) continue;
        const types = new Set(possible(on));
        if (name !== null) inlining.add(name);
        const inner = filterSet(fragment.selectionSet, on, { ...at, types: at.types.filter((t) => types.has(t)) });
        if (name !== null) inlining.delete(name);
        if (inner.length > 0) {
          kept.push({
            kind: Kind.INLINE_FRAGMENT,
            typeCondition: fragment.typeCondition,
            directives: selection.directives,
            selectionSet: { kind: Kind.SELECTION_SET, selections: inner },
          });
        }
      }
    }
    return kept;
  };

  const filterField = (node: FieldNode, type: GraphQLCompositeType, path: string[], within: (string[] | null)[]): FieldNode | null => {
    const name = node.name.value;
    if (name === '__typename' && (node.alias?.value ?? name) === name) asked.add(path.join('.'));
    if (name.startsWith('__')) return node;
    const key = node.alias?.value ?? name;
    const coordinate = `${type.name}.${name}`;
    const denial = decide(coordinate);
    if (denial) {
      denied.push({ ...denial, coordinate, coordinates: [coordinate], path: [...path, key], within });
      return null;
    }
    if (!node.selectionSet || !('getFields' in type)) return node;
    const definition = type.getFields()[name];
    const childType = definition && getNamedType(definition.type);
    if (!childType || !isCompositeType(childType)) return node;
    const before = denied.length;
    const all = possible(childType);
    const inner = filterSet(node.selectionSet, childType, { path: [...path, key], within, types: all, all: all.length });
    // A denial that applies to some of the field's types only needs each object's type to be restored.
    if (inner.length > 0 && denied.slice(before).some((d) => d.within?.[path.length + 1])) {
      added.push([...path, key]);
      inner.unshift(typename);
    }
    if (inner.length > 0) return { ...node, selectionSet: { kind: Kind.SELECTION_SET, selections: inner } };
    // The gateway matches `_entities` to its representations one for one: keep the list, deny inside it.
    if (coordinate === 'Query._entities') return { ...node, selectionSet: { kind: Kind.SELECTION_SET, selections: [typename] } };
    // Every sub-field was denied: deny the field itself, in their place, naming them.
    const below = denied.splice(before);
    const coordinates = [...new Set(below.flatMap((d) => d.coordinates ?? [d.coordinate]))];
    if (below[0]) denied.push({ ...below[0], coordinate, coordinates, path: [...path, key], within });
    return null;
  };

  const selections = filterSet(operation.selectionSet, root, { path: [], within: [], types: [root.name], all: 1 });
  if (denied.length === 0 && !document.definitions.some((d) => d.kind === Kind.FRAGMENT_DEFINITION)) return { document, denied, empty: false };
  const empty = selections.length === 0;
  const filtered: OperationDefinitionNode = {
    ...operation,
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: empty ? [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }] : selections,
    },
  };
  const typenames = added.filter((path) => !asked.has(path.join('.')));
  return { document: { kind: Kind.DOCUMENT, definitions: [filtered] }, denied, empty, ...(typenames.length > 0 ? { typenames } : {}) };
}

const typename: FieldNode = { kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } };

/** Selections in a document as written (a spread counts once): what a filtered, inlined document holds. */
export function selectionsIn(document: DocumentNode): number {
  let count = 0;
  const walk = (set: SelectionSetNode | undefined): void => {
    for (const selection of set?.selections ?? []) {
      count++;
      if (selection.kind !== Kind.FRAGMENT_SPREAD) walk(selection.selectionSet);
    }
  };
  for (const d of document.definitions) if (d.kind === Kind.OPERATION_DEFINITION || d.kind === Kind.FRAGMENT_DEFINITION) walk(d.selectionSet);
  return count;
}

export interface ForbiddenError {
  message: string;
  path: (string | number)[];
  extensions: { code: 'FORBIDDEN'; policy: string; reason: string; coordinates: string[] };
}

/**
 * Puts `null` back at every denied path in a result, with a FORBIDDEN error
 * at each naming the denied fields: denied is never a silent omission. Where
 * the parent is null or absent there is nothing to withhold, and no error; nor
 * on an object of a type the denial does not apply to. The `__typename` added
 * at `typenames` is taken out.
 */
export function restoreDenied(
  data: Record<string, unknown> | null | undefined,
  denied: readonly DeniedPath[],
  empty: boolean,
  typenames: readonly string[][] = [],
): ForbiddenError[] {
  const errors: ForbiddenError[] = [];
  if (!data) return errors;
  if (empty) delete data.__typename;
  const applies = (object: Record<string, unknown>, types: string[] | null | undefined) => !types || types.includes(object.__typename as string);
  for (const denial of denied) {
    const coordinates = denial.coordinates ?? [denial.coordinate];
    alongPath(data, denial.path, (object, depth, at) => {
      if (!applies(object, denial.within?.[depth])) return false;
      if (depth < denial.path.length - 1) return true;
      const key = denial.path[depth]!;
      object[key] = null;
      errors.push({
        message: `Not authorised to read ${coordinates.join(', ')}: ${denial.reason}`,
        path: [...at, key],
        extensions: { code: 'FORBIDDEN', policy: denial.policy, reason: denial.reason, coordinates },
      });
      return false;
    });
  }
  // Only once every denial is restored: they may share the objects it is on.
  for (const path of typenames) alongPath(data, path, (object, depth) => depth < path.length || delete object.__typename);
  return errors;
}

/** Visits each object along a path of response keys (crossing lists), and those at its end, while `step` says to go on. */
function alongPath(
  value: unknown,
  keys: readonly string[],
  step: (object: Record<string, unknown>, depth: number, at: (string | number)[]) => boolean,
  depth = 0,
  at: (string | number)[] = [],
): void {
  if (value === null || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    value.forEach((item, i) => alongPath(item, keys, step, depth, [...at, i]));
    return;
  }
  const object = value as Record<string, unknown>;
  if (step(object, depth, at) && depth < keys.length) alongPath(object[keys[depth]!], keys, step, depth + 1, [...at, keys[depth]!]);
}
