import { buildSchema, execute, parse, type GraphQLObjectType } from 'graphql';
import { demoPersona } from '../../dev/personas';
import { applyRecordRules, type Authority, type Policies, type RecordFacts } from '../../shared';

/**
 * The record layer decides each record with the record in hand: at once when
 * the record's facts are in the entity (the restriction flag), and through
 * graphql-shield when they must be loaded (a relationship). Either way a
 * denial is FORBIDDEN with the policy and the reason, and nothing denied is
 * resolved.
 */
describe('record rules', () => {
  const policies: Policies = {
    'demo:address': { description: 'Where the child lives.', allow: [{ roles: ['social-worker'], purposes: ['safeguarding'], unlessRestricted: true }] },
    'demo:notes': { description: 'Case notes.', allow: [{ roles: ['social-worker'], purposes: ['safeguarding'], relationship: 'allocated-worker' }] },
    'demo:name': { description: 'The name.', allow: [{ roles: ['social-worker', 'gp'], purposes: ['safeguarding', 'direct-care'] }] },
  };
  const policyMap = new Map([
    ['Child.address', [['demo:address']]],
    ['Child.notes', [['demo:notes']]],
    ['Child.name', [['demo:name']]],
  ]);
  const children = [
    { id: 'a', name: 'Child A', address: '1 Street', notes: 'seen', restricted: false, worker: 'sw.jones' },
    { id: 'b', name: 'Child B', address: '2 Street', notes: 'seen', restricted: true, worker: 'sw.ahmed' },
  ];
  const resolved: string[] = [];
  type ChildRecord = (typeof children)[number];
  const build = () => {
    const schema = buildSchema('type Query { children: [Child!]! } type Child { id: ID! name: String address: String notes: String }');
    schema.getQueryType()!.getFields().children!.resolve = () => children;
    const fields = (schema.getType('Child') as GraphQLObjectType).getFields();
    fields.address!.resolve = (c: ChildRecord) => (resolved.push(`address ${c.id}`), c.address);
    fields.notes!.resolve = (c: ChildRecord) => (resolved.push(`notes ${c.id}`), c.notes);
    return applyRecordRules(schema, {
      agency: 'demo',
      policyMap,
      policies,
      recordFacts: {
        // The restriction is in the record; the allocation is looked up, as an agency loads it from its database.
        Child: (c: ChildRecord, authority: Authority, _ctx: unknown, needed?: { relationships: boolean }): RecordFacts | Promise<RecordFacts> => {
          const facts = { consented: false, restricted: c.restricted };
          if (!needed?.relationships) return { ...facts, relationships: new Set() };
          return Promise.resolve({ ...facts, relationships: new Set(c.worker === authority.caller.sub ? ['allocated-worker'] : []) });
        },
      },
    });
  };
  const run = async (persona: 'sw.jones' | 'gp.smith' | null, query: string) => {
    resolved.length = 0;
    const authority = persona && ({ caller: demoPersona(persona), purpose: 'safeguarding', traceId: 'record-rules' } as unknown as Authority);
    return execute({ schema: build(), document: parse(query), contextValue: { authority } });
  };
  const codes = (errors: readonly { path?: readonly (string | number)[]; extensions: Record<string, unknown> }[] | undefined) =>
    (errors ?? []).map((e) => [e.path?.join('.'), e.extensions.code, e.extensions.policy, e.extensions.reason]);

  it('resolves a field the record allows, and withholds it from a restricted record, with the policy and the reason', async () => {
    const result = await run('sw.jones', '{ children { id address } }');
    expect(result.data).toEqual({
      children: [
        { id: 'a', address: '1 Street' },
        { id: 'b', address: null },
      ],
    });
    expect(codes(result.errors)).toEqual([['children.1.address', 'FORBIDDEN', 'demo:address', "this child's record does not give an unrestricted record"]]);
    expect(resolved).toEqual(['address a']);
  });

  it('decides a relationship once it is loaded, through the shield', async () => {
    const result = await run('sw.jones', '{ children { id notes } }');
    expect(result.data).toEqual({
      children: [
        { id: 'a', notes: 'seen' },
        { id: 'b', notes: null },
      ],
    });
    expect(codes(result.errors)).toEqual([
      ['children.1.notes', 'FORBIDDEN', 'demo:notes', "this child's record does not give the allocated-worker relationship"],
    ]);
    expect(resolved).toEqual(['notes a']);
  });

  it('denies a caller no rule admits, and a request without authority, without resolving anything', async () => {
    const gp = await run('gp.smith', '{ children { id address } }');
    expect(gp.data).toEqual({
      children: [
        { id: 'a', address: null },
        { id: 'b', address: null },
      ],
    });
    expect(codes(gp.errors).map(([path, code, policy]) => [path, code, policy])).toEqual([
      ['children.0.address', 'FORBIDDEN', 'demo:address'],
      ['children.1.address', 'FORBIDDEN', 'demo:address'],
    ]);
    const nobody = await run(null, '{ children { id notes } }');
    expect(codes(nobody.errors).map(([path, code, policy, reason]) => [path, code, policy, reason])).toEqual([
      ['children.0.notes', 'FORBIDDEN', 'demo:notes', 'the record cannot be checked, so nothing is disclosed'],
      ['children.1.notes', 'FORBIDDEN', 'demo:notes', 'the record cannot be checked, so nothing is disclosed'],
    ]);
    expect(resolved).toEqual([]);
  });

  it('leaves fields whose policy does not depend on the record to the operation layer', async () => {
    const result = await run('sw.jones', '{ children { name } }');
    expect(result).toEqual({ data: { children: [{ name: 'Child A' }, { name: 'Child B' }] } });
  });
});
