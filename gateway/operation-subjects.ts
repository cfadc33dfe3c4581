import type { GraphQLRequestContext } from '@apollo/server';
import { Kind, valueFromASTUntyped } from 'graphql';
import { normaliseNhsNumber } from '../shared';

/** One root field that names children or searches for them, by its response key. */
export interface SubjectField { key: string; children: string[]; search: Record<string, unknown> | null }

/** What an operation asks about at its root: the children by NHS number, and each search with its parameters. */
export interface OperationSubjects { children: string[]; searches: Record<string, unknown>[]; fields: SubjectField[] }

const known = new WeakMap<object, OperationSubjects>();

/**
 * The children and searches of a resolved operation (`child`, `children`,
 * `searchChildren` at the root, literal or variable arguments), worked out once
 * per request for every plugin that needs them.
 */
export function operationSubjects(rc: GraphQLRequestContext<object>): OperationSubjects {
  let subjects = known.get(rc.request);
  if (subjects) return subjects;
  subjects = { children: [], searches: [], fields: [] };
  const variables = rc.request.variables ?? {};
  for (const selection of rc.operation?.selectionSet.selections ?? []) {
    if (selection.kind !== Kind.FIELD) continue;
    const name = selection.name.value;
    if (name !== 'child' && name !== 'children' && name !== 'searchChildren') continue;
    const args: Record<string, unknown> = Object.fromEntries((selection.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]));
    const numbers = name === 'child' ? [args.nhsNumber] : name === 'children' ? args.nhsNumbers : [];
    const children = Array.isArray(numbers) ? numbers.filter((n): n is string => typeof n === 'string').map(normaliseNhsNumber) : [];
    const search = name === 'searchChildren' ? args : null;
    subjects.children.push(...children);
    if (search) subjects.searches.push(search);
    subjects.fields.push({ key: selection.alias?.value ?? name, children, search });
  }
  known.set(rc.request, subjects);
  return subjects;
}
