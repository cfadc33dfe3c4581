import { createHash } from 'node:crypto';
import type { GraphQLRequestContext } from '@apollo/server';
import { Kind, valueFromASTUntyped } from 'graphql';
import { normaliseNhsNumber } from '../shared';
import { boundValue } from './bounded-value';

/** One root field that names children or searches for them, by its response key. */
export interface SubjectField {
  key: string;
  children: string[];
  search: Record<string, unknown> | null;
}

/** What an operation asks about at its root: the children by NHS number, and each search with its parameters. */
export interface OperationSubjects {
  /** Each NHS number asked for that is ten digits (spaces ignored, integers read as digits), normalised. */
  children: string[];
  /** The values given as NHS numbers that are not ten digits: how many, and a SHA-256 over them (bounded), never the values. */
  malformedNhsNumbers: { count: number; sha256: string } | null;
  /** Each search's arguments, bounded (see `boundValue`): variables are recorded before they are validated. */
  searches: Record<string, unknown>[];
  fields: SubjectField[];
}

const known = new WeakMap<object, OperationSubjects>();

/**
 * The children and searches of a resolved operation (`child`, `children`,
 * `searchChildren` at the root, literal or variable arguments), worked out once
 * per request for every plugin that needs them. The operation is validated
 * against the schema but its variables are not yet (that happens when it runs),
 * so every value is read whatever its JSON type and bounded.
 */
export function operationSubjects(rc: GraphQLRequestContext<object>): OperationSubjects {
  let subjects = known.get(rc.request);
  if (subjects) return subjects;
  subjects = { children: [], malformedNhsNumbers: null, searches: [], fields: [] };
  const malformed = createHash('sha256');
  let malformedCount = 0;
  const variables = rc.request.variables ?? {};
  for (const selection of rc.operation?.selectionSet.selections ?? []) {
    if (selection.kind !== Kind.FIELD) continue;
    const name = selection.name.value;
    if (name !== 'child' && name !== 'children' && name !== 'searchChildren') continue;
    const args: Record<string, unknown> = Object.fromEntries((selection.arguments ?? []).map((a) => [a.name.value, valueFromASTUntyped(a.value, variables)]));
    const children: string[] = [];
    for (const value of name === 'child' ? listOf(args.nhsNumber) : name === 'children' ? listOf(args.nhsNumbers) : []) {
      const nhsNumber = nhsNumberOf(value);
      if (nhsNumber !== null) {
        children.push(nhsNumber);
      } else {
        malformedCount++;
        malformed.update(`${JSON.stringify(boundValue(value))}\n`);
      }
    }
    const search = name === 'searchChildren' ? (boundValue(args) as Record<string, unknown>) : null;
    subjects.children.push(...children);
    if (search) subjects.searches.push(search);
    subjects.fields.push({ key: selection.alias?.value ?? name, children, search });
  }
  if (malformedCount > 0) subjects.malformedNhsNumbers = { count: malformedCount, sha256: malformed.digest('hex') };
  known.set(rc.request, subjects);
  return subjects;
}

/** A list argument as GraphQL coerces it: a single value stands for a list of one. */
function listOf(value: unknown): unknown[] {
  if (value === null || value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

/**
 * An NHS number as the subgraph reads it (an `ID`: a string, or an integer as
 * its digits; spaces ignored), or null unless that is ten digits.
 */
function nhsNumberOf(value: unknown): string | null {
  const text = typeof value === 'string' ? normaliseNhsNumber(value) : typeof value === 'number' && Number.isInteger(value) ? String(value) : null;
  return text !== null && /^\d{10}$/.test(text) ? text : null;
}
