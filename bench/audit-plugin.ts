import { parseArgs } from 'node:util';
import { parse, type OperationDefinitionNode } from 'graphql';
import { auditPlugin, createAuditCollector, type Database } from '../shared';

/**
 * `npx tsx bench/audit-plugin.ts [--rounds 6]`: the audit plugin's own work for one subgraph response,
 * in CPU microseconds — finding what each child was given and writing the stored entry — for a
 * one-child full view (social care) and a 500-child caseload (health). The database is left out (its
 * statement is recorded, not run), so what is measured is the plugin alone; `npm run bench -- --compare
 * audit` measures the whole cost. Best and median of the rounds.
 */
const roundsArgument = parseArgs({ options: { rounds: { type: 'string', default: '6' } } }).values.rounds;
const rounds = Number(roundsArgument);
if (!Number.isInteger(rounds) || rounds < 1) throw new Error(`--rounds must be a whole number of at least 1; got "${roundsArgument}"`);

const authority = {
  traceId: 'bench',
  caller: { sub: 'sw.jones', name: 'Sam Jones (fictional)', roles: ['social-worker'], org: 'NS001', orgType: 'local-authority' },
  purpose: 'safeguarding',
  breakGlass: null,
};
const children = (n: number) => Array.from({ length: n }, (_, i) => ({ __typename: 'Child', nhsNumber: String(9990000000 + i) }));

const scenarios = [
  {
    name: 'full view, social care (1 child)',
    agency: 'socialcare',
    field: 'Child.socialCare',
    iterations: 20_000,
    selection:
      'socialCare { status statusSince localAuthority { name dutyPhone } allocatedWorker { name phone team } referrals { date source reason } caseNotes { date author text } }',
    representations: children(1),
    entities: [
      {
        __typename: 'Child',
        socialCare: {
          status: 'CHILD_PROTECTION_PLAN',
          statusSince: '2025-01-01',
          localAuthority: { name: 'Northshire', dutyPhone: '0100 000 0000' },
          allocatedWorker: { name: 'Sam Jones', phone: '0100 000 0001', team: 'Team A' },
          referrals: [
            { date: '2024-01-01', source: 'school', reason: 'attendance' },
            { date: '2024-03-01', source: 'police', reason: 'incident' },
          ],
          caseNotes: [
            { date: '2024-01-02', author: 'a', text: 'visit' },
            { date: '2024-01-03', author: 'b', text: 'call' },
            { date: '2024-01-04', author: 'c', text: 'meeting' },
          ],
        },
      },
    ],
  },
  {
    name: 'caseload, health (500 children)',
    agency: 'health',
    field: 'Child.health',
    iterations: 400,
    selection: 'health { registeredGp { practiceName } conditions { name } }',
    representations: children(500),
    entities: children(500).map((_, i) => ({
      __typename: 'Child',
      health: { registeredGp: { practiceName: `Practice ${i % 7}` }, conditions: i % 3 ? [{ name: 'asthma' }] : [] },
    })),
  },
];

async function main() {
  for (const scenario of scenarios) {
    const operation = parse(`query ($representations: [_Any!]!) { _entities(representations: $representations) { ... on Child { ${scenario.selection} } } }`)
      .definitions[0] as OperationDefinitionNode;
    let appended = 0;
    const db = {
      kind: 'postgres',
      query: async () => (appended++, []),
      exec: async () => undefined,
      ping: async () => true,
      close: async () => undefined,
    } as Database;
    const plugin = auditPlugin({
      db,
      logger: { error: () => undefined } as never,
      agency: scenario.agency,
      policyMap: new Map([[scenario.field, [[`${scenario.agency}:a`], [`${scenario.agency}:b`]]]]),
    });
    const once = async () => {
      const hooks = (await plugin.requestDidStart!({} as never)) as { willSendResponse(rc: unknown): Promise<void> };
      await hooks.willSendResponse({
        contextValue: { authority, audit: createAuditCollector() },
        operation,
        operationName: null,
        request: { variables: { representations: scenario.representations } },
        response: { body: { kind: 'single', singleResult: { data: { _entities: scenario.entities } } } },
      });
    };
    for (let i = 0; i < scenario.iterations; i++) await once();
    const perResponse: number[] = [];
    for (let round = 0; round < rounds; round++) {
      const before = process.cpuUsage();
      for (let i = 0; i < scenario.iterations; i++) await once();
      const used = process.cpuUsage(before);
      perResponse.push((used.user + used.system) / scenario.iterations);
    }
    if (appended !== scenario.iterations * (rounds + 1)) throw new Error(`expected an append per response, got ${appended}`);
    perResponse.sort((a, b) => a - b);
    process.stdout.write(
      `${scenario.name}: ${perResponse[0]!.toFixed(1)} µs per response (best of ${rounds}), median ${perResponse[Math.floor(rounds / 2)]!.toFixed(1)}\n`,
    );
  }
}

main().catch((error) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
