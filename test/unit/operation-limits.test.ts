import { buildSchema, parse } from 'graphql';
import { loadGatewayConfig } from '../../gateway';
import {
  ConfigError,
  countTokens,
  DEFAULT_OPERATION_LIMITS,
  exceededLimit,
  filterOperation,
  loadSubgraphConfig,
  measureOperations,
  operationAuthorizationPlugin,
  type Authority,
  type OperationLimits,
  type Policies,
} from '../../shared';

/** The shape of the graph the limits speak of: a list of children by NHS number, a search, and (in a subgraph) `_entities`. */
const schema = buildSchema(`
  scalar _Any
  union _Entity = Child
  type Query {
    child(nhsNumber: ID!): Child
    children(nhsNumbers: [ID!]!): [Child]
    searchChildren(family: String): [ChildMatch!]
    accessAlerts: [Alert!]
    _entities(representations: [_Any!]!): [_Entity]!
  }
  type ChildMatch { child: Child score: Float }
  type Alert { id: ID detail: String }
  type Child { nhsNumber: ID! name: Name immunisations: [Immunisation!] siblings(nhsNumbers: [ID!] = ["1", "2", "3"]): [Child] }
  type Name { given: String family: String }
  type Immunisation { vaccine: String date: String }
`);

const measure = (query: string, variables?: Record<string, unknown>, listSizes?: Record<string, number>) =>
  measureOperations(schema, parse(query), variables, { listSizes })[0]!;

/** 31 fragments, each spreading the next twice: 2³⁰ copies of the last when inlined. */
function exponentialFragments(levels = 31): string {
  const fragments = Array.from({ length: levels }, (_, i) =>
    i < levels - 1 ? `fragment F${i} on Child { name { given } ...F${i + 1} ...F${i + 1} }` : `fragment F${i} on Child { nhsNumber }`,
  );
  return `{ child(nhsNumber: "9990000018") { ...F0 } } ${fragments.join(' ')}`;
}

describe('measuring an operation', () => {
  it('costs a list of children per NHS number given, literal or variable', () => {
    const selection = '{ nhsNumber name { given } }';
    // Each child: itself, nhsNumber, name and given.
    expect(measure(`{ children(nhsNumbers: ["1", "2", "3"]) ${selection} }`)).toMatchObject({ cost: 12, children: 3 });
    expect(measure(`query ($n: [ID!]!) { children(nhsNumbers: $n) ${selection} }`, { n: Array(500).fill('1') })).toMatchObject({ cost: 2000, children: 500 });
    expect(measure(`query ($n: [ID!]! = ["1", "2"]) { children(nhsNumbers: $n) ${selection} }`)).toMatchObject({ cost: 8, children: 2 });
    expect(measure('{ child(nhsNumber: "1") { nhsNumber } }')).toMatchObject({ cost: 2, children: 1 });
  });

  it('costs 40 aliases of a 500-child caseload what 20,000 children cost', () => {
    const aliases = Array.from({ length: 40 }, (_, i) => `a${i}: children(nhsNumbers: $n) { nhsNumber }`).join(' ');
    const measured = measure(`query ($n: [ID!]!) { ${aliases} }`, { n: Array(500).fill('1') });
    expect(measured).toMatchObject({ children: 20_000, cost: 40_000, rootFields: 40 });
    expect(
      exceededLimit(
        schema,
        parse(`query ($n: [ID!]!) { ${aliases} }`),
        { n: Array(500).fill('1') },
        { ...DEFAULT_OPERATION_LIMITS, aliases: 100, rootFields: 100 },
      ),
    ).toEqual({ limit: 'children', max: 500 });
  });

  it('costs a search its most results, when told them', () => {
    const query = '{ searchChildren(family: "Hart") { score child { nhsNumber } } }';
    expect(measure(query)).toMatchObject({ cost: 4, children: 1 });
    expect(measure(query, {}, { 'Query.searchChildren': 10 })).toMatchObject({ cost: 40, children: 10 });
  });

  it('counts each _entities representation as a child, whatever its type', () => {
    const query = 'query ($r: [_Any!]!) { _entities(representations: $r) { ... on Child { nhsNumber immunisations { vaccine } } } }';
    const representations = Array.from({ length: 501 }, (_, i) => ({ __typename: 'Child', nhsNumber: String(i) }));
    expect(measure(query, { r: representations })).toMatchObject({ children: 501, cost: 501 * 4, selections: 5 });
  });

  it('multiplies nested lists, and takes a default list argument as given', () => {
    // Three siblings by default, for each of two children: 2 + 2 × 3 children.
    expect(measure('{ children(nhsNumbers: ["1", "2"]) { siblings { nhsNumber } } }')).toMatchObject({ children: 8, cost: 2 * (1 + 3 * 2) });
    expect(measure('{ children(nhsNumbers: ["1", "2"]) { siblings(nhsNumbers: null) { nhsNumber } } }')).toMatchObject({ children: 2, cost: 2 });
  });

  it('charges nothing for __typename and a list of unknown length once', () => {
    expect(measure('{ __typename accessAlerts { __typename id detail } }')).toMatchObject({ cost: 3, selections: 5, rootFields: 2 });
  });

  it('expands fragments in its count of selections and root fields, as authorisation inlines them', () => {
    const query =
      '{ ...Root } fragment Root on Query { a: child(nhsNumber: "1") { ...C } b: child(nhsNumber: "2") { ...C } } fragment C on Child { nhsNumber name { given family } }';
    // Each child field: itself, the spread, nhsNumber, name, given, family; and the root spread.
    expect(measure(query)).toMatchObject({ selections: 1 + 2 * 6, rootFields: 2, children: 2, cost: 2 * 5 });
  });

  it('measures 31 fragments each spreading the next twice in linear time, without expanding them', () => {
    const started = process.hrtime.bigint();
    const heap = process.memoryUsage().heapUsed;
    const measured = measure(exponentialFragments());
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(50);
    expect(process.memoryUsage().heapUsed - heap).toBeLessThan(20_000_000);
    // 2³⁰ copies of the last fragment, and every level's name { given } and spreads besides.
    expect(measured.selections).toBeGreaterThan(2 ** 31);
    expect(exceededLimit(schema, parse(exponentialFragments()), {}, DEFAULT_OPERATION_LIMITS)).toEqual({
      limit: 'selections',
      max: DEFAULT_OPERATION_LIMITS.selections,
    });
  });

  it('ends on a fragment cycle rather than looping, leaving it to validation', () => {
    const measured = measure('{ child(nhsNumber: "1") { ...A } } fragment A on Child { nhsNumber ...B } fragment B on Child { name { given } ...A }');
    // child, ...A, nhsNumber, ...B, name, given, and ...A again, which adds nothing.
    expect(measured.selections).toBe(7);
  });
});

describe('checking the limits', () => {
  const limits: OperationLimits = { tokens: 100, depth: 3, aliases: 2, directives: 2, rootFields: 2, selections: 10, cost: 20, children: 5 };
  const check = (query: string, variables: Record<string, unknown> = {}) => exceededLimit(schema, parse(query), variables, limits);

  it.each([
    ['depth', '{ child(nhsNumber: "1") { name { given } } }', '{ child(nhsNumber: "1") { siblings { name { given } } } }'],
    ['aliases', '{ child(nhsNumber: "1") { a: nhsNumber b: nhsNumber } }', '{ child(nhsNumber: "1") { a: nhsNumber b: nhsNumber c: nhsNumber } }'],
    [
      'directives',
      '{ child(nhsNumber: "1") @include(if: true) { nhsNumber @skip(if: false) } }',
      '{ child(nhsNumber: "1") @include(if: true) { nhsNumber @skip(if: false) name @include(if: true) { given } } }',
    ],
    [
      'rootFields',
      '{ child(nhsNumber: "1") { nhsNumber } __typename }',
      '{ child(nhsNumber: "1") { nhsNumber } __typename ...R } fragment R on Query { __typename }',
    ],
    [
      'selections',
      '{ child(nhsNumber: "1") { nhsNumber nhsNumber nhsNumber nhsNumber nhsNumber nhsNumber nhsNumber nhsNumber nhsNumber } }',
      '{ child(nhsNumber: "1") { nhsNumber nhsNumber nhsNumber nhsNumber nhsNumber nhsNumber nhsNumber nhsNumber nhsNumber nhsNumber } }',
    ],
    ['children', '{ children(nhsNumbers: ["1", "2", "3", "4", "5"]) { nhsNumber } }', '{ children(nhsNumbers: ["1", "2", "3", "4", "5", "6"]) { nhsNumber } }'],
    [
      'cost',
      '{ children(nhsNumbers: ["1", "2", "3", "4"]) { nhsNumber name { given family } } }',
      '{ children(nhsNumbers: ["1", "2", "3", "4"]) { nhsNumber name { given family } } child(nhsNumber: "1") { nhsNumber } }',
    ],
  ])('passes an operation at the %s limit and refuses one just over it', (limit, under, over) => {
    expect(check(under)).toBeNull();
    expect(check(over)).toEqual({ limit, max: limits[limit as keyof OperationLimits] });
  });

  it('counts aliases and directives through every spread of a fragment', () => {
    expect(check('{ child(nhsNumber: "1") { ...A } } fragment A on Child { a: nhsNumber }')).toBeNull();
    expect(check('{ child(nhsNumber: "1") { ...A ...A ...A } } fragment A on Child { a: nhsNumber }')).toEqual({ limit: 'aliases', max: 2 });
  });

  it('counts tokens without reading further than the limit', () => {
    expect(countTokens('{ child(nhsNumber: "1") { nhsNumber } }', 100)).toBe(11);
    // Commas and comments are not tokens.
    expect(countTokens('{ a, b # c d e\n }', 100)).toBe(4);
    expect(countTokens(`{ ${'a '.repeat(1_000_000)} }`, 100)).toBe(101);
  });
});

describe('configuring the limits', () => {
  it('reads each limit from its variable, for the gateway and every subgraph alike', () => {
    const env = { AUTH_TRUST_DEV_KEY: 'true', MAX_QUERY_DEPTH: '12', MAX_QUERY_CHILDREN: '1000' };
    expect(loadGatewayConfig(env).operationLimits).toEqual({ ...DEFAULT_OPERATION_LIMITS, depth: 12, children: 1000 });
    expect(loadSubgraphConfig('health', 4002, env).operationLimits).toEqual({ ...DEFAULT_OPERATION_LIMITS, depth: 12, children: 1000 });
    expect(loadSubgraphConfig('health', 4002, {}).operationLimits).toEqual(DEFAULT_OPERATION_LIMITS);
  });

  it('refuses a limit that is not a whole number above 0, naming the variable and the value', () => {
    expect(() => loadGatewayConfig({ AUTH_TRUST_DEV_KEY: 'true', MAX_QUERY_COST: '0' })).toThrow(ConfigError);
    expect(() => loadSubgraphConfig('health', 4002, { MAX_QUERY_DEPTH: 'lots' })).toThrow('MAX_QUERY_DEPTH="lots": expected a whole number above 0');
  });
});

describe('filtering an operation', () => {
  it('inlines a fragment cycle once rather than looping, should one ever reach it unvalidated', () => {
    const { document } = filterOperation(
      schema,
      parse('{ child(nhsNumber: "1") { ...A } } fragment A on Child { nhsNumber ...B } fragment B on Child { name { given } ...A }'),
      null,
      () => null,
    );
    expect(document.definitions).toHaveLength(1);
    expect(JSON.stringify(document).match(/"InlineFragment"/g)).toHaveLength(2);
  });
});

describe('the cache of filtered operations', () => {
  const fields = (prefix: string) => Array.from({ length: 40 }, (_, i) => `${prefix}${i}: nhsNumber`).join(' ');
  // A fragment makes authorisation rebuild the operation, inlined: what the cache then holds.
  const operation = (prefix: string) => `{ child(nhsNumber: "1") { ...F } } fragment F on Child { ${fields(prefix)} }`;
  const authority = { caller: { sub: 'gp', name: 'GP', org: 'Y1', orgType: 'gp-practice', roles: ['gp'] }, purpose: 'direct-care', traceId: 't' } as Authority;
  const policies: Policies = { 'p:any': { description: 'anyone', allow: [{ roles: ['gp'], purposes: ['direct-care'] }] } };

  /** Runs operations through authorisation; returns how many had to be filtered afresh (not found in the cache). */
  async function filteredAfresh(cacheSelections: number | undefined, names: string[]): Promise<number[]> {
    let decisions = 0;
    const plugin = operationAuthorizationPlugin<{ authority: Authority }>({
      policyMap: new Map([
        ['Query.child', [['p:any']]],
        ['Child.nhsNumber', [['p:any']]],
      ]),
      policies,
      mode: 'enforce',
      authorityOf: (c) => c.authority,
      decides: () => (decisions++, true),
      cacheSelections,
    });
    const afresh: number[] = [];
    for (const name of names) {
      const before = decisions;
      const listener = await plugin.requestDidStart!({} as never);
      await listener!.didResolveOperation!({
        schema,
        document: parse(operation(name)),
        operationName: null,
        queryHash: name,
        request: {},
        contextValue: { authority },
      } as never);
      afresh.push(decisions > before ? 1 : 0);
    }
    return afresh;
  }

  it('keeps filtered operations within its size, dropping the oldest', async () => {
    expect(await filteredAfresh(undefined, ['a', 'a', 'b', 'a', 'b'])).toEqual([1, 0, 1, 0, 0]);
    // Room for one of these operations (each about 40 selections) but not two: b pushes a out.
    expect(await filteredAfresh(60, ['a', 'a', 'b', 'a', 'b'])).toEqual([1, 0, 1, 1, 1]);
    // Larger than the whole cache: never kept.
    expect(await filteredAfresh(10, ['a', 'a'])).toEqual([1, 1]);
  });
});
