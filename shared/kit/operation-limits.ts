import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import {
  getNamedType,
  getNullableType,
  isInterfaceType,
  isListType,
  isObjectType,
  Kind,
  Lexer,
  Source,
  TokenKind,
  validate,
  type DocumentNode,
  type FieldNode,
  type GraphQLError,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLNamedType,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValueNode,
} from 'graphql';
import { env, ErrorCode, graphqlError } from '../common';

/** The most one operation may ask for; docs/limits.md gives each default its reason. */
export interface OperationLimits {
  /** `MAX_QUERY_TOKENS`: lexical tokens in the document, counted before it is parsed. @default 2000 */
  tokens: number;
  /** `MAX_QUERY_DEPTH`: fields nested in fields (fragments add none). @default 8 */
  depth: number;
  /** `MAX_QUERY_ALIASES`: aliases, counted through every fragment spread. @default 30 */
  aliases: number;
  /** `MAX_QUERY_DIRECTIVES`: directives, counted through every fragment spread. @default 30 */
  directives: number;
  /** `MAX_QUERY_ROOT_FIELDS`: fields at the root of an operation, aliases included. @default 10 */
  rootFields: number;
  /** `MAX_QUERY_SELECTIONS`: fields and fragments once every fragment spread is expanded, as authorisation inlines them. @default 500 */
  selections: number;
  /** `MAX_QUERY_COST`: each field costs 1 for every item it may return, plus its selections' cost for each item. @default 50000 */
  cost: number;
  /** `MAX_QUERY_CHILDREN`: children one operation may return, across every root field and alias (`_entities` representations in a subgraph). @default 500 */
  children: number;
}

export type OperationLimit = keyof OperationLimits;

export const DEFAULT_OPERATION_LIMITS: Readonly<OperationLimits> = {
  tokens: 2000,
  depth: 8,
  aliases: 30,
  directives: 30,
  rootFields: 10,
  selections: 500,
  cost: 50_000,
  children: 500,
};

/** Each limit's environment variable. */
export const OPERATION_LIMIT_VARIABLES: Readonly<Record<OperationLimit, string>> = {
  tokens: 'MAX_QUERY_TOKENS',
  depth: 'MAX_QUERY_DEPTH',
  aliases: 'MAX_QUERY_ALIASES',
  directives: 'MAX_QUERY_DIRECTIVES',
  rootFields: 'MAX_QUERY_ROOT_FIELDS',
  selections: 'MAX_QUERY_SELECTIONS',
  cost: 'MAX_QUERY_COST',
  children: 'MAX_QUERY_CHILDREN',
};

const LIMITS = Object.keys(OPERATION_LIMIT_VARIABLES) as OperationLimit[];

/** The limits' variables for `readEnv`, each a whole number above 0 with its default. */
export function operationLimitsShape() {
  return Object.fromEntries(LIMITS.map((limit) => [OPERATION_LIMIT_VARIABLES[limit], env.positiveInt(DEFAULT_OPERATION_LIMITS[limit])]));
}

/** The limits from values `readEnv` checked with `operationLimitsShape()`. */
export function operationLimitsFrom(values: Record<string, unknown>): OperationLimits {
  return Object.fromEntries(LIMITS.map((limit) => [limit, values[OPERATION_LIMIT_VARIABLES[limit]] as number])) as unknown as OperationLimits;
}

/** How much an operation asks for: the cost and children depend on its variables. */
export interface CostModel {
  /** The most items a list field returns, by coordinate, where no list argument says (`Query.searchChildren`: 10). @default none */
  listSizes?: Readonly<Record<string, number>>;
  /** Types each item of which counts as a child. @default ['Child', '_Entity'] */
  childTypes?: readonly string[];
}

/** What one operation measures after fragment expansion: every fragment is measured once, so this is linear in the document. */
export interface OperationMeasures {
  /** Fields and fragments, once every spread is expanded in place. */
  selections: number;
  cost: number;
  children: number;
  /** Fields at the root. */
  rootFields: number;
}

/** One limit an operation exceeds, as its error names it. */
export interface LimitExceeded {
  limit: OperationLimit;
  max: number;
}

/** The stable refusal: QUERY_TOO_COMPLEX with the limit and its maximum, HTTP 400. */
export function queryTooComplex({ limit, max }: LimitExceeded): GraphQLError {
  return graphqlError(ErrorCode.QUERY_TOO_COMPLEX, refusalMessage({ limit, max }), { limit, max, http: { status: 400 } });
}

/** What a refusal says, naming the limit and its maximum. */
export const refusalMessage = ({ limit, max }: LimitExceeded) =>
  `The operation asks for too much: it exceeds the limit on ${limit} (at most ${max}). Ask for less, or split it.`;

interface Measure {
  selections: number;
  cost: number;
  children: number;
  fields: number;
}
const NOTHING: Measure = { selections: 0, cost: 0, children: 0, fields: 0 };
// 0 items of an unbounded selection cost nothing (not NaN).
const times = (n: number, x: number) => (n === 0 ? 0 : n * x);

/**
 * Measures every operation in a document. Each fragment is measured once per
 * operation and its measure reused at every spread, so 31 fragments each
 * spreading the next twice take 31 steps, not 2³¹. A fragment met again inside
 * itself counts as nothing: validation refuses the cycle.
 */
export function measureOperations(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> = {},
  model: CostModel = {},
): OperationMeasures[] {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  return document.definitions.flatMap((d) => {
    if (d.kind !== Kind.OPERATION_DEFINITION) return [];
    // A variable not given takes its default, as execution will.
    const values: Record<string, unknown> = {};
    for (const v of d.variableDefinitions ?? []) if (v.defaultValue) values[v.variable.name.value] = v.defaultValue;
    const m = createMeasurer(schema, fragments, { ...values, ...variables }, model)(d.selectionSet, schema.getRootType(d.operation));
    return [{ selections: m.selections, cost: m.cost, children: m.children, rootFields: m.fields }];
  });
}

function createMeasurer(schema: GraphQLSchema, fragments: Map<string, FragmentDefinitionNode>, variables: Record<string, unknown>, model: CostModel) {
  const childTypes = new Set(model.childTypes ?? ['Child', '_Entity']);
  const memo = new Map<string, Measure | null>();

  const spread = (name: string): Measure => {
    const known = memo.get(name);
    if (known !== undefined) return known ?? NOTHING;
    const fragment = fragments.get(name);
    memo.set(name, null);
    const measure = fragment ? set(fragment.selectionSet, schema.getType(fragment.typeCondition.name.value)) : NOTHING;
    memo.set(name, measure);
    return measure;
  };

  const field = (selection: FieldNode, type: GraphQLNamedType | null | undefined): Measure => {
    const definition = isObjectType(type) || isInterfaceType(type) ? type.getFields()[selection.name.value] : undefined;
    const sub = selection.selectionSet ? set(selection.selectionSet, definition && getNamedType(definition.type)) : NOTHING;
    const items = definition ? itemsOf(definition, selection.arguments ?? [], variables, model, `${type!.name}.${definition.name}`) : 1;
    const counted = definition && childTypes.has(getNamedType(definition.type).name) ? 1 : 0;
    return {
      selections: 1 + sub.selections,
      cost: selection.name.value.startsWith('__') ? 0 : times(items, 1 + sub.cost),
      children: times(items, counted + sub.children),
      fields: 1,
    };
  };

  const set = (selectionSet: SelectionSetNode, type: GraphQLNamedType | null | undefined): Measure => {
    const total = { ...NOTHING };
    for (const selection of selectionSet.selections) {
      let inner: Measure;
      if (selection.kind === Kind.FIELD) inner = field(selection, type);
      else {
        const sub =
          selection.kind === Kind.FRAGMENT_SPREAD
            ? spread(selection.name.value)
            : set(selection.selectionSet, selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : type);
        inner = { ...sub, selections: 1 + sub.selections };
      }
      total.selections += inner.selections;
      total.cost += inner.cost;
      total.children += inner.children;
      total.fields += inner.fields;
    }
    return total;
  };
  return set;
}

/**
 * How many items a field may return: what `listSizes` says for it; else, for
 * a list given a list argument (`children(nhsNumbers:)`, `_entities(representations:)`),
 * one per element of the longest, literal or variable; else 1.
 */
function itemsOf(
  field: GraphQLField<unknown, unknown>,
  args: readonly { name: { value: string }; value: ValueNode }[],
  variables: Record<string, unknown>,
  model: CostModel,
  coordinate: string,
): number {
  const listed = model.listSizes?.[coordinate];
  if (listed !== undefined) return listed;
  const lists = isListType(getNullableType(field.type)) ? field.args.filter((arg) => isListType(getNullableType(arg.type))) : [];
  if (lists.length === 0) return 1;
  return Math.max(
    ...lists.map((arg) => {
      const node = args.find((a) => a.name.value === arg.name)?.value;
      return lengthOf(node ? (node.kind === Kind.VARIABLE ? variables[node.name.value] : node) : arg.defaultValue);
    }),
  );
}

function lengthOf(value: unknown): number {
  if (value === null || value === undefined) return 0;
  if (Array.isArray(value)) return value.length;
  if (typeof value === 'object' && (value as ValueNode).kind === Kind.LIST) return (value as { values: readonly unknown[] }).values.length;
  if (typeof value === 'object' && (value as ValueNode).kind === Kind.NULL) return 0;
  // A single value is coerced to a list of one.
  return 1;
}

/**
 * Apollo Server keeps each parsed document and hands the same object to every request that sends the same
 * operation, so graphql-armor's walk of it (about a millisecond a call, the most of what the limits cost a
 * subgraph) is made once per schema, document and set of limits, and remembered while the document is.
 */
const armourChecked = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, LimitExceeded | null>>>();

/** Depth, aliases and directives by graphql-armor's rules: what depends on the document alone. */
function armourExceeded(schema: GraphQLSchema, document: DocumentNode, limits: OperationLimits): LimitExceeded | null {
  let documents = armourChecked.get(schema);
  if (!documents) armourChecked.set(schema, (documents = new WeakMap()));
  let byLimits = documents.get(document);
  if (!byLimits) documents.set(document, (byLimits = new Map<string, LimitExceeded | null>()));
  const key = `${limits.depth}/${limits.aliases}/${limits.directives}`;
  const known = byLimits.get(key);
  if (known !== undefined) return known;
  let found: LimitExceeded | null = null;
  const armor = (limit: 'depth' | 'aliases' | 'directives') => ({
    n: limits[limit],
    propagateOnRejection: false,
    onReject: [
      () => {
        found ??= { limit, max: limits[limit] };
      },
    ],
  });
  validate(schema, document, [
    maxDepthRule({ ...armor('depth'), flattenFragments: true }),
    maxAliasesRule(armor('aliases')),
    maxDirectivesRule(armor('directives')),
  ]);
  byLimits.set(key, found);
  return found;
}

/**
 * The first limit a parsed (and validated) document exceeds, or null: depth,
 * aliases and directives by graphql-armor's rules, then root fields, expanded
 * selections, children and cost as `measureOperations` finds them. Every
 * operation in the document is checked, not only the one to run.
 */
export function exceededLimit(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown>,
  limits: OperationLimits,
  model: CostModel = {},
): LimitExceeded | null {
  const found = armourExceeded(schema, document, limits);
  if (found) return found;
  for (const measures of measureOperations(schema, document, variables, model)) {
    for (const limit of ['rootFields', 'selections', 'children', 'cost'] as const) {
      // Written so that NaN is refused too.
      if (!(measures[limit] <= limits[limit])) return { limit, max: limits[limit] };
    }
  }
  return null;
}

/** Tokens in a source, counting no further than `atMost + 1`; a syntax error ends the count where it is. */
export function countTokens(source: string, atMost: number): number {
  const lexer = new Lexer(new Source(source));
  let count = 0;
  try {
    while (count <= atMost && lexer.advance().kind !== TokenKind.EOF) count++;
  } catch {
    // The parser reports the syntax error itself.
  }
  return count;
}
