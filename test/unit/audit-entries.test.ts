import { parse, type OperationDefinitionNode } from 'graphql';
import { auditPlugin, createAuditCollector, migrateAudit, openAgencyDatabase, type AgencyDatabase, type AuditEntry } from '../../shared';

/**
 * The audit plugin's entries for responses whose children were given different
 * fields: each child's own fields, however the children's shapes repeat,
 * alternate or list their fields in another order, and across responses that
 * share the plugin's shapes. Read back from an embedded database's log.
 */
const operation = parse(`query ($representations: [_Any!]!) { _entities(representations: $representations) {
  ... on Child { health { registeredGp { practiceName } conditions { name } } } } }`).definitions[0] as OperationDefinitionNode;

const authority = {
  traceId: 'trace-entries',
  caller: { sub: 'sw.jones', name: 'Sam Jones (fictional)', roles: ['social-worker'], org: 'NS001', orgType: 'local-authority' },
  purpose: 'safeguarding',
  breakGlass: null,
};

const gp = { registeredGp: { practiceName: 'Fictional Practice' } };
const condition = { conditions: [{ name: 'asthma' }] };
const both = ['health.conditions.name', 'health.registeredGp.practiceName'];

describe('the audit entry of a response', () => {
  let database: AgencyDatabase;
  let plugin: ReturnType<typeof auditPlugin>;

  beforeAll(async () => {
    database = await openAgencyDatabase({});
    await migrateAudit(database.owner);
    plugin = auditPlugin({
      db: database.owner,
      logger: { error: () => undefined } as never,
      agency: 'health',
      policyMap: new Map([['Child.health', [['health:gp'], ['health:conditions']]]]),
    });
  });
  afterAll(() => database.close());

  const respond = async (entities: unknown[], errors: unknown[] = []): Promise<AuditEntry> => {
    const hooks = (await plugin.requestDidStart!({} as never)) as { willSendResponse(rc: unknown): Promise<void> };
    const representations = entities.map((_, i) => ({ __typename: 'Child', nhsNumber: `99900000${String(i).padStart(2, '0')}` }));
    const body = { kind: 'single', singleResult: { data: { _entities: entities }, errors } };
    await hooks.willSendResponse({
      contextValue: { authority, audit: createAuditCollector() },
      operation,
      operationName: null,
      request: { variables: { representations } },
      response: { body },
    });
    expect(body.singleResult.errors).toEqual(errors);
    const [row] = await database.owner.query<{ entry: AuditEntry }>('SELECT entry FROM service.audit_entry ORDER BY seq DESC LIMIT 1');
    return row!.entry;
  };

  it("records each child's own fields when shapes repeat, alternate and list the same fields in another order", async () => {
    const entry = await respond(
      [
        { health: { ...gp, ...condition } },
        { health: { registeredGp: null, conditions: [] } },
        { health: { ...gp, ...condition } },
        { health: { ...condition, ...gp } },
        { health: { ...gp, conditions: [] } },
        null,
      ],
      [
        {
          message: 'Not authorised',
          path: ['_entities', 5, 'health'],
          extensions: { code: 'FORBIDDEN', policy: 'health:conditions', reason: 'no relationship' },
        },
      ],
    );
    expect(entry.children.map((c) => [c.nhsNumber, c.disclosed, c.denied])).toEqual([
      ['9990000000', both, []],
      ['9990000001', ['health.conditions'], []],
      ['9990000002', both, []],
      ['9990000003', both, []],
      ['9990000004', ['health.conditions', 'health.registeredGp.practiceName'], []],
      ['9990000005', [], [{ field: 'health', policy: 'health:conditions', reason: 'no relationship' }]],
    ]);
    expect(entry.basis.policies).toEqual(['health:conditions', 'health:gp']);
  });

  it('records an object given with nothing but nulls in it as disclosed: that it exists is what it tells', async () => {
    const entry = await respond([
      { health: { registeredGp: null, conditions: null } },
      { health: { registeredGp: { practiceName: null }, ...condition } },
      { health: null },
    ]);
    expect(entry.children.map((c) => [c.nhsNumber, c.disclosed])).toEqual([
      ['9990000000', ['health']],
      ['9990000001', ['health.conditions.name', 'health.registeredGp']],
    ]);
  });

  it('records a later response by its own fields, not by the shapes an earlier one left', async () => {
    const entry = await respond([{ health: { registeredGp: null, ...condition } }, { health: { ...gp, ...condition } }]);
    expect(entry.children.map((c) => c.disclosed)).toEqual([['health.conditions.name'], both]);
  });
});
