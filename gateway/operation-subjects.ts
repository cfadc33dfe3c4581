import type { GraphQLRequestContext } from '@apollo/server';
import { Kind, valueFromASTUntyped } from 'graphql';
import { normaliseNhsNumber } from '../shared';

/** What an operation asks about at its root: the children by NHS number, and each search with its parameters. */
export interface OperationSubjects { children: string[]; searches: Record<string, unknown>[] }

const known = new WeakMap<object, OperationSubjects>();

/**
 * The children and searches of a resolved operation (`child`, `children`,
 * `searchChildren` at the root, literal or variable arguments), worked out once
 * per request for every plugin that needs them.
 */
export function operationSubjects(rc: GraphQLRequestContext<object>): OperationSubjects {
  let subjects = known.get(rc.request);
  if (subjects) return subjects;
  subjects = { children: [], searches: [] };
  const variables = rc.request.variables ?? {};
  for (const selection of rc.operation?.selectionSet.selections ?? []) {
    if (selection.kind !== Kind.FIELD) continue;
    const args: Record<string, unknown> = Object.fromEntries((selection.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]));
    const numbers = selection.name.value === 'child' ? [args.nhsNumber] : selection.name.value === 'children' ? args.nhsNumbers : [];
    if (Array.isArray(numbers)) subjects.children.push(...numbers.filter((n): n is string => typeof n === 'string').map(normaliseNhsNumber));
    if (selection.name.value === 'searchChildren') subjects.searches.push(args);
  }
  known.set(rc.request, subjects);
  return subjects;
}
