import { Kind, OperationTypeNode, parse } from 'graphql';

const answers = new Map<string, boolean>();

/**
 * True when a request body asks only for `_service` (and `__typename`): the
 * SDL that composition needs, which stays open without the gateway's context.
 */
export function isServiceOnly(body: unknown): boolean {
  const query = typeof body === 'object' && body !== null ? (body as { query?: unknown }).query : undefined;
  if (typeof query !== 'string') return false;
  const known = answers.get(query);
  if (known !== undefined) return known;
  let answer: boolean;
  try {
    const definitions = parse(query).definitions;
    answer =
      definitions.length === 1 &&
      definitions[0]!.kind === Kind.OPERATION_DEFINITION &&
      definitions[0].operation === OperationTypeNode.QUERY &&
      definitions[0].selectionSet.selections.every((s) => s.kind === Kind.FIELD && (s.name.value === '_service' || s.name.value === '__typename'));
  } catch {
    answer = false;
  }
  if (answers.size < 100) answers.set(query, answer);
  return answer;
}
