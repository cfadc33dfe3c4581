import {
  getNamedType, isCompositeType, Kind, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type GraphQLCompositeType,
  type GraphQLSchema, type InlineFragmentNode, type OperationDefinitionNode, type SelectionNode, type SelectionSetNode,
} from 'graphql';

/** Why a field may not be read. */
export interface Denial { policy: string; reason: string }

/** A field removed from an operation, at a path of response keys (lists are crossed implicitly). */
export interface DeniedPath extends Denial { path: string[]; coordinate: string }

export interface FilteredOperation {
  document: DocumentNode;
  denied: DeniedPath[];
  /** True when nothing at all was left to ask, so `{ __typename }` stands in for the operation. */
  empty: boolean;
}

/**
 * Removes from an operation every field `decide` denies, so that nothing
 * denied is planned or fetched, and says where each removed field was. Named
 * fragments are inlined first, so that every field has one path. A field whose
 * every sub-field is denied is removed too, and reported in their place.
 * Inlining copies a fragment at every spread, so the result is as large as the
 * operation expanded: the operation limits (operation-limits.ts) bound that
 * before this runs.
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

  const filterSet = (set: SelectionSetNode, type: GraphQLCompositeType, path: string[]): SelectionNode[] => {
    const kept: SelectionNode[] = [];
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) {
        const field = filterField(selection, type, path);
        if (field) kept.push(field);
      } else {
        const name = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : null;
        const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        if (!fragment || (name !== null && inlining.has(name))) continue;
        const on = fragment.typeCondition ? schema.getType(fragment.typeCondition.name.value) : type;
        if (!on || !isCompositeType(on)) continue;
        if (name !== null) inlining.add(name);
        const inner = filterSet(fragment.selectionSet, on, path);
        if (name !== null) inlining.delete(name);
        if (inner.length > 0) {
          kept.push({
            kind: Kind.INLINE_FRAGMENT,
            typeCondition: fragment.typeCondition,
            directives: selection.directives,
            selectionSet: { kind: Kind.SELECTION_SET, selections: inner },
          } as InlineFragmentNode);
        }
      }
    }
    return kept;
  };

  const filterField = (node: FieldNode, type: GraphQLCompositeType, path: string[]): FieldNode | null => {
    const name = node.name.value;
    if (name.startsWith('__')) return node;
    const key = node.alias?.value ?? name;
    const coordinate = `${type.name}.${name}`;
    const denial = decide(coordinate);
    if (denial) {
      denied.push({ ...denial, coordinate, path: [...path, key] });
      return null;
    }
    if (!node.selectionSet || !('getFields' in type)) return node;
    const definition = type.getFields()[name];
    const childType = definition && getNamedType(definition.type);
    if (!childType || !isCompositeType(childType)) return node;
    const before = denied.length;
    const inner = filterSet(node.selectionSet, childType, [...path, key]);
    if (inner.length > 0) return { ...node, selectionSet: { kind: Kind.SELECTION_SET, selections: inner } };
    // The gateway matches `_entities` to its representations one for one: keep the list, deny inside it.
    if (coordinate === 'Query._entities') return { ...node, selectionSet: { kind: Kind.SELECTION_SET, selections: [typename] } };
    // Every sub-field was denied: deny the field itself, in their place.
    const first = denied.splice(before)[0];
    if (first) denied.push({ ...first, coordinate, path: [...path, key] });
    return null;
  };

  const selections = filterSet(operation.selectionSet, root, []);
  if (denied.length === 0 && !document.definitions.some((d) => d.kind === Kind.FRAGMENT_DEFINITION)) return { document, denied, empty: false };
  const empty = selections.length === 0;
  const filtered: OperationDefinitionNode = {
    ...operation,
    selectionSet: {
      kind: Kind.SELECTION_SET,
      selections: empty ? [{ kind: Kind.FIELD, name: { kind: Kind.NAME, value: '__typename' } }] : selections,
    },
  };
  return { document: { kind: Kind.DOCUMENT, definitions: [filtered] }, denied, empty };
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
  extensions: { code: 'FORBIDDEN'; policy: string; reason: string };
}

/**
 * Puts `null` back at every denied path in a result, with a FORBIDDEN error
 * at each: denied is never a silent omission. Where the parent is null or
 * absent there is nothing to withhold, and no error.
 */
export function restoreDenied(data: Record<string, unknown> | null | undefined, denied: readonly DeniedPath[], empty: boolean): ForbiddenError[] {
  const errors: ForbiddenError[] = [];
  if (!data) return errors;
  if (empty) delete data.__typename;
  const walk = (value: unknown, keys: string[], at: (string | number)[], denial: DeniedPath) => {
    if (value === null || value === undefined) return;
    if (Array.isArray(value)) {
      value.forEach((item, i) => walk(item, keys, [...at, i], denial));
      return;
    }
    if (typeof value !== 'object') return;
    const [key, ...rest] = keys as [string, ...string[]];
    const object = value as Record<string, unknown>;
    if (rest.length === 0) {
      object[key] = null;
      errors.push({
        message: `Not authorised to read ${denial.coordinate}: ${denial.reason}`,
        path: [...at, key],
        extensions: { code: 'FORBIDDEN', policy: denial.policy, reason: denial.reason },
      });
    } else walk(object[key], rest, [...at, key], denial);
  };
  for (const denial of denied) walk(data, denial.path, [], denial);
  return errors;
}
