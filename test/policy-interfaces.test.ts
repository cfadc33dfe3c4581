import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ApolloGateway, LocalGraphQLDataSource } from '@apollo/gateway';
import { ApolloServer } from '@apollo/server';
import { buildSubgraphSchema } from '@apollo/subgraph';
import fc from 'fast-check';
import { parse, type GraphQLSchema } from 'graphql';
import { composeSupergraph } from '../gateway';
import {
  applyRecordRules,
  loadPolicyFile,
  operationAuthorizationPlugin,
  readPolicyMap,
  stripPolicyFeatures,
  type Authority,
  type OrgType,
  type Purpose,
  type Role,
} from '../shared';
import { interfacePolicyFindings } from '../tools/policy/lint';
import { contacts, contactsResolvers, events, lastSeen, notesResolvers, recordFacts } from './fixtures/interfaces/resolvers';

/**
 * Fields reached through an interface (Contact), an @interfaceObject's field
 * on it (Contact.lastSeen), an inline fragment on an implementation and a
 * union member (Event), through the gateway's own authorisation over the
 * composed supergraph of test/fixtures/interfaces, with each subgraph's record
 * rules behind it.
 */
const fixture = join(__dirname, 'fixtures', 'interfaces');
const sdl = (file: string) => readFileSync(join(fixture, file), 'utf8');
const policies = loadPolicyFile(join(fixture, 'policy.yaml')).policies;
const compose = (schema: string) =>
  composeSupergraph([
    { name: 'contacts', url: 'http://contacts.invalid/graphql', sdl: sdl(schema) },
    { name: 'notes', url: 'http://notes.invalid/graphql', sdl: sdl('interface-object.graphql') },
  ]);
const supergraphSdl = compose('schema.graphql');

/** Who may read each field, stated apart from the schema and policy.yaml (change both together): roles, purposes, withheld when restricted. */
const care: Role[] = ['social-worker', 'team-manager', 'gp', 'school-dsl'];
const readers: Record<string, [Role[], Purpose[], boolean?]> = {
  directory: [care, ['direct-care', 'safeguarding']],
  phone: [['social-worker', 'team-manager'], ['safeguarding'], true],
  family: [['social-worker'], ['safeguarding']],
  clinic: [
    ['gp', 'social-worker'],
    ['direct-care', 'safeguarding'],
  ],
  incident: [['social-worker', 'team-manager'], ['safeguarding']],
  lastSeen: [['social-worker', 'school-dsl'], ['safeguarding']],
};
const readersOf: Record<string, keyof typeof readers> = {
  contacts: 'directory',
  events: 'directory',
  id: 'directory',
  name: 'directory',
  role: 'directory',
  date: 'directory',
  phone: 'phone',
  relationship: 'family',
  clinic: 'clinic',
  details: 'incident',
  lastSeen: 'lastSeen',
};
const may = (role: Role, purpose: Purpose, field: string, restricted = false) => {
  const [roles, purposes, unlessRestricted] = readers[readersOf[field]!]!;
  return roles.includes(role) && purposes.includes(purpose) && !(unlessRestricted && restricted);
};

const orgTypes: Record<string, OrgType> = {
  'social-worker': 'local-authority',
  'team-manager': 'local-authority',
  gp: 'gp-practice',
  'school-dsl': 'school',
  'housing-officer': 'housing-provider',
};
const authority = (role: Role, purpose: Purpose): Authority => ({
  caller: { sub: `${role}-1`, name: role, org: 'ORG1', orgType: orgTypes[role]!, roles: [role] },
  purpose,
  traceId: 'policy-interfaces',
});

interface Answer {
  data?: Record<string, unknown> | null;
  errors?: { message: string; path?: (string | number)[]; extensions?: Record<string, unknown> }[];
}

describe('authorisation through interfaces and unions', () => {
  let gateway: ApolloServer<{ authority: Authority }>;
  const calls: Record<string, number> = {};
  const ask = async (role: Role, purpose: Purpose, query: string): Promise<Answer> => {
    const response = await gateway.executeOperation({ query }, { contextValue: { authority: authority(role, purpose) } });
    if (response.body.kind !== 'single') throw new Error('expected a single result');
    return JSON.parse(JSON.stringify(response.body.singleResult)) as Answer;
  };
  const forbidden = (answer: Answer) => (answer.errors ?? []).map((e) => [e.path?.join('.'), e.extensions?.code, e.message]);

  beforeAll(async () => {
    const subgraph = (file: string, resolvers: object): GraphQLSchema => {
      const typeDefs = parse(sdl(file));
      const schema = buildSubgraphSchema({ typeDefs, resolvers: resolvers as never });
      return applyRecordRules(schema, { agency: 'contacts', policyMap: readPolicyMap(typeDefs), policies, recordFacts });
    };
    const schemas: Record<string, GraphQLSchema> = {
      contacts: subgraph('schema.graphql', contactsResolvers),
      notes: subgraph('interface-object.graphql', notesResolvers),
    };
    gateway = new ApolloServer<{ authority: Authority }>({
      gateway: new ApolloGateway({
        supergraphSdl: stripPolicyFeatures(supergraphSdl),
        buildService: ({ name }) =>
          new (class extends LocalGraphQLDataSource {
            override process(options: Parameters<LocalGraphQLDataSource['process']>[0]) {
              calls[name] = (calls[name] ?? 0) + 1;
              return super.process(options);
            }
          })(schemas[name]!),
      }),
      plugins: [operationAuthorizationPlugin({ policyMap: readPolicyMap(supergraphSdl), policies, mode: 'enforce', authorityOf: (c) => c.authority })],
    });
    await gateway.start();
  });
  afterAll(() => gateway?.stop());

  describe('the policy map', () => {
    it("reads the policy of interface fields in the supergraph, an @interfaceObject's among them", () => {
      const map = readPolicyMap(supergraphSdl);
      expect([map.get('Contact.name'), map.get('Contact.phone'), map.get('Contact.lastSeen')]).toEqual([
        [['contacts:directory']],
        [['contacts:phone']],
        [['contacts:last-seen']],
      ]);
      expect(map.get('Relative.lastSeen')).toEqual([['contacts:last-seen']]);
    });

    it("gives an interface field of a subgraph its implementations' policies, and none when one of them has none", () => {
      expect(readPolicyMap(sdl('schema.graphql')).get('Contact.phone')).toEqual([['contacts:phone']]);
      const disagreeing = readPolicyMap(sdl('disagreeing.graphql'));
      expect(disagreeing.get('Contact.phone')).toEqual([['contacts:directory', 'contacts:phone']]);
      expect(disagreeing.has('Contact.name')).toBe(false);
    });
  });

  describe('through the gateway', () => {
    it('serves an allowed field selected on the interface', async () => {
      const answer = await ask('gp', 'direct-care', '{ contacts { name } }');
      expect(answer).toEqual({ data: { contacts: contacts.map(({ name }) => ({ name })) } });
    });

    it('removes a denied field selected on the interface, naming the field and not its parent', async () => {
      const answer = await ask('school-dsl', 'direct-care', '{ contacts { phone } }');
      expect(answer.data).toEqual({ contacts: null });
      expect(answer.errors).toEqual([
        {
          message: expect.stringMatching(/^Not authorised to read Contact\.phone: /),
          path: ['contacts'],
          extensions: { code: 'FORBIDDEN', policy: 'contacts:phone', reason: expect.any(String), coordinates: ['Contact.phone'] },
        },
      ]);
    });

    it('withholds a field in a fragment on an implementation from objects of that type alone', async () => {
      const answer = await ask('team-manager', 'safeguarding', '{ contacts { name ... on Relative { relationship } } }');
      expect(answer.data).toEqual({ contacts: [{ name: 'Ama Owusu' }, { name: 'Jo Hart', relationship: null }, { name: 'Sam Hart', relationship: null }] });
      expect(forbidden(answer)).toEqual(
        [1, 2].map((i) => [`contacts.${i}.relationship`, 'FORBIDDEN', expect.stringMatching(/^Not authorised to read Relative\.relationship: /)]),
      );
    });

    it("never shows a union member's denied field, and gives the other members no key for it", async () => {
      const answer = await ask('gp', 'direct-care', '{ events { ... on Appointment { date clinic } ... on Incident { date details } } }');
      expect(answer.data).toEqual({
        events: [
          { date: '2024-02-10', clinic: 'Leeds Road Clinic' },
          { date: '2024-02-11', details: null },
        ],
      });
      expect(forbidden(answer)).toEqual([['events.1.details', 'FORBIDDEN', expect.stringMatching(/^Not authorised to read Incident\.details: /)]]);
      expect(JSON.stringify(answer)).not.toContain(events[1]!.details);
    });

    it('names every denied field where all of a selection was denied, and the field itself where it is denied', async () => {
      const dsl = await ask('school-dsl', 'direct-care', '{ events { ... on Appointment { clinic } ... on Incident { details } } }');
      expect(dsl.data).toEqual({ events: null });
      expect(dsl.errors?.map((e) => [e.path?.join('.'), e.message.split(':')[0], e.extensions?.coordinates])).toEqual([
        ['events', 'Not authorised to read Appointment.clinic, Incident.details', ['Appointment.clinic', 'Incident.details']],
      ]);
      const housing = await ask('housing-officer', 'direct-care', '{ events { ... on Appointment { clinic } } }');
      expect(housing.errors?.map((e) => [e.path?.join('.'), e.extensions?.coordinates])).toEqual([['events', ['Query.events']]]);
    });

    it("decides an @interfaceObject's field on the interface, and fetches it only for those allowed it", async () => {
      const before = calls.notes ?? 0;
      const worker = await ask('social-worker', 'safeguarding', '{ contacts { id lastSeen } }');
      expect(worker).toEqual({ data: { contacts: contacts.map(({ id }) => ({ id, lastSeen: lastSeen[id] })) } });
      expect(calls.notes).toBe(before + 1);
      const manager = await ask('team-manager', 'safeguarding', '{ contacts { id lastSeen } }');
      expect(manager.data).toEqual({ contacts: contacts.map(({ id }) => ({ id, lastSeen: null })) });
      expect(calls.notes).toBe(before + 1);
      expect(forbidden(manager).map(([, , message]) => message)).toEqual(
        contacts.map(() => expect.stringMatching(/^Not authorised to read Contact\.lastSeen: /)),
      );
    });

    it("leaves the record to the subgraph: a restricted contact's phone is withheld whether asked through the interface or a fragment", async () => {
      const answer = await ask('social-worker', 'safeguarding', '{ contacts { phone } again: contacts { ... on Relative { phone } } }');
      expect(answer.data).toEqual({
        contacts: [{ phone: '0113 496 0001' }, { phone: '07700 900002' }, { phone: null }],
        again: [{}, { phone: '07700 900002' }, { phone: null }],
      });
      expect(forbidden(answer).map(([path, code, message]) => [path, code, message])).toEqual([
        ['contacts.2.phone', 'FORBIDDEN', expect.stringMatching(/^Not authorised to read Relative\.phone: /)],
        ['again.2.phone', 'FORBIDDEN', expect.stringMatching(/^Not authorised to read Relative\.phone: /)],
      ]);
    });
  });

  it('lets an agency decide a field selected on its interface from its own schema, in an `_entities` call too', async () => {
    const typeDefs = parse(sdl('schema.graphql'));
    const agency = new ApolloServer<{ authority: Authority }>({
      schema: buildSubgraphSchema({ typeDefs, resolvers: contactsResolvers }),
      plugins: [
        operationAuthorizationPlugin({
          policyMap: readPolicyMap(typeDefs),
          policies,
          mode: 'enforce',
          authorityOf: (c) => c.authority,
          // As shared/kit/create-subgraph.ts: the agency decides its own policies, and federation's entry point is always open.
          decides: (p) => p.startsWith('contacts:'),
          alwaysAllowed: new Set(['Query._entities']),
        }),
      ],
    });
    await agency.start();
    try {
      const call = async (query: string) => {
        const response = await agency.executeOperation({ query }, { contextValue: { authority: authority('gp', 'direct-care') } });
        return JSON.parse(JSON.stringify((response.body as { singleResult: Answer }).singleResult)) as Answer;
      };
      const listed = await call('{ contacts { name phone } }');
      expect(listed.data).toEqual({ contacts: contacts.map(({ name }) => ({ name, phone: null })) });
      expect(listed.errors?.map((e) => e.extensions?.coordinates)).toEqual(contacts.map(() => ['Contact.phone']));
      const entities =
        await call(`{ _entities(representations: [{ __typename: "Relative", id: "contact-2" }, { __typename: "Professional", id: "contact-1" }]) {
        ... on Relative { relationship } ... on Professional { role } } }`);
      expect(entities.data).toEqual({ _entities: [{ relationship: null }, { role: 'Health visitor' }] });
      expect(forbidden(entities)).toEqual([
        ['_entities.0.relationship', 'FORBIDDEN', expect.stringMatching(/^Not authorised to read Relative\.relationship: /)],
      ]);
    } finally {
      await agency.stop();
    }
  });

  it('never returns a value the policy denies, whatever is selected through the interface and the union', async () => {
    const roles: Role[] = ['social-worker', 'team-manager', 'gp', 'school-dsl', 'housing-officer'];
    const purposes: Purpose[] = ['direct-care', 'safeguarding'];
    await fc.assert(
      fc.asyncProperty(generatedOperation, fc.constantFrom(...roles), fc.constantFrom(...purposes), async ({ query, typeKey, expectedKeys }, role, purpose) => {
        const answer = await ask(role, purpose, query);
        const problems: string[] = [];
        for (const e of answer.errors ?? []) {
          if (e.extensions?.code !== 'FORBIDDEN') problems.push(`error ${e.message}`);
          for (const c of (e.extensions?.coordinates as string[] | undefined) ?? [])
            if (may(role, purpose, c.split('.')[1]!)) problems.push(`${c} denied but allowed`);
        }
        for (const [field, list] of Object.entries(answer.data ?? {})) {
          for (const object of (list as Record<string, unknown>[] | null) ?? []) {
            for (const [key, value] of Object.entries(object)) {
              if (value === null || key === typeKey) continue;
              const owner = ownerOf.get(value as string);
              const restricted = contacts.find((c) => c.id === owner?.record)?.restricted ?? false;
              if (!owner || !may(role, purpose, field) || !may(role, purpose, owner.field, restricted)) problems.push(`${field}.${key} = ${value as string}`);
            }
            // Each object has exactly the keys selected for its type: none added by a denial meant for another type.
            const want = [...(expectedKeys[field]?.get(object[typeKey] as string) ?? [])].sort();
            const keys = Object.keys(object)
              .filter((k) => k !== typeKey)
              .sort();
            if (JSON.stringify(keys) !== JSON.stringify(want))
              problems.push(`${field} ${String(object[typeKey])} has ${keys.join(',')}, not ${want.join(',')}`);
          }
        }
        expect({ query, problems }).toEqual({ query, problems: [] });
      }),
      { numRuns: 150 },
    );
  });

  describe('policy lint', () => {
    it("finds the fixture's interface fields agree with their implementations", () => {
      expect(interfacePolicyFindings(parse(supergraphSdl))).toEqual([]);
    });

    it("reports an interface field whose policy differs from an implementation's, naming both, and one with no policy on one side", () => {
      const findings = interfacePolicyFindings(parse(compose('disagreeing.graphql')));
      const named = findings.map((f) => `${f.where} ${f.problem.match(/implementation (\S+)'s/)?.[1]}`).sort();
      expect(named).toEqual(['Contact.name Relative.name', 'Contact.phone Professional.phone', 'Contact.phone Relative.phone']);
      expect(findings.find((f) => f.where === 'Contact.name')!.problem).toContain('(no @policy)');
    });
  });
});

/** Every field value of the fixture's records: which field it is, and of which contact. */
const ownerOf = new Map<string, { field: string; record?: string }>([
  ...contacts.flatMap((c) =>
    Object.entries(c)
      .filter(([k]) => !['__typename', 'restricted'].includes(k))
      .map(([field, v]) => [String(v), { field, record: c.id }] as const),
  ),
  ...Object.entries(lastSeen).map(([record, v]) => [v, { field: 'lastSeen', record }] as const),
  ...events.flatMap((e) =>
    Object.entries(e)
      .filter(([k]) => k !== '__typename')
      .map(([field, v]) => [String(v), { field }] as const),
  ),
]);

/** The fields each type of the fixture offers, by the type a selection is made on. */
const offered: Record<'contacts' | 'events', Record<string, string[]>> = {
  contacts: {
    Contact: ['id', 'name', 'phone', 'lastSeen'],
    Professional: ['id', 'name', 'phone', 'role', 'lastSeen'],
    Relative: ['id', 'name', 'phone', 'relationship', 'lastSeen'],
  },
  events: { Appointment: ['date', 'clinic'], Incident: ['date', 'details'] },
};
const concrete: Record<string, string[]> = {
  Contact: ['Professional', 'Relative'],
  Professional: ['Professional'],
  Relative: ['Relative'],
  Appointment: ['Appointment'],
  Incident: ['Incident'],
};

/** One part of a selection: some fields of a type, selected on the field's own type, in an inline fragment, or in a named one. */
const part = (field: 'contacts' | 'events') =>
  fc.constantFrom(...Object.keys(offered[field])).chain((on) =>
    fc.record({
      on: fc.constant(on),
      fields: fc.subarray(offered[field][on]!, { minLength: 1 }),
      aliased: fc.boolean(),
      as: on === 'Contact' ? fc.constantFrom('plain', 'inline', 'named') : fc.constantFrom('inline', 'named'),
    }),
  );

/**
 * A random operation over `contacts` (the interface) and `events` (the union), each object's type selected as
 * `__typename` or as `kind`; `expectedKeys` gives, for each, the response keys an object of each type must have.
 */
const generatedOperation = fc
  .record({
    contacts: fc.option(fc.array(part('contacts'), { minLength: 1, maxLength: 4 })),
    events: fc.option(fc.array(part('events'), { minLength: 1, maxLength: 3 })),
    typeKey: fc.constantFrom('kind', '__typename'),
  })
  .filter((o) => o.contacts !== null || o.events !== null)
  .map((operation) => {
    const { typeKey } = operation;
    const fragments: string[] = [];
    const expectedKeys: Record<string, Map<string, Set<string>>> = {};
    let counter = 0;
    const body = (['contacts', 'events'] as const).flatMap((field) => {
      const parts = operation[field];
      if (!parts) return [];
      const keys = (expectedKeys[field] = new Map());
      const selections = parts.map(({ on, fields, aliased, as }) => {
        const inner = fields
          .map((f) => {
            const key = aliased ? `${f}${counter++}` : f;
            for (const type of concrete[on]!) keys.set(type, (keys.get(type) ?? new Set()).add(key));
            return aliased ? `${key}: ${f}` : f;
          })
          .join(' ');
        if (as === 'plain') return inner;
        if (as === 'inline') return `... on ${on} { ${inner} }`;
        fragments.push(`fragment F${counter} on ${on} { ${inner} }`);
        return `...F${counter++}`;
      });
      return [`${field} { ${typeKey === 'kind' ? 'kind: ' : ''}__typename ${selections.join(' ')} }`];
    });
    return { query: `{ ${body.join(' ')} } ${fragments.join(' ')}`, typeKey, expectedKeys };
  });
