import { parse } from 'graphql';
import { createKeyPair, createLogger, createSubgraph, type Database } from '../../shared';

function databaseThatAnswers(answers: () => boolean): Database {
  return { kind: 'pglite', query: async () => [], exec: async () => undefined, ping: async () => answers(), close: async () => undefined };
}

describe('GET /health on a subgraph', () => {
  it('is ready only while its database answers', async () => {
    let up = true;
    const agency = {
      name: 'probe',
      defaultPort: 0,
      primaryTable: 'records.x',
      migrationsDir: '',
      kitMigrations: [],
      serviceRole: 'probe_service',
      typeDefs: parse('type Query { ok: Boolean }'),
      resolvers: { Query: { ok: () => true } },
      createLoaders: () => ({}),
      policies: {},
      recordFacts: {},
    };
    const service = await createSubgraph(agency, {
      db: databaseThatAnswers(() => up),
      logger: createLogger('probe', 'silent'),
      gatewayKeys: (await createKeyPair('k')).publicJwks,
    }).listen(0);
    try {
      const health = service.url.replace('/graphql', '/health');
      const first = await fetch(health);
      expect([first.status, await first.json()]).toEqual([200, { status: 'ok' }]);
      up = false;
      const second = await fetch(health);
      expect([second.status, await second.json()]).toEqual([503, { status: 'unavailable' }]);
      expect((await fetch(service.url.replace('/graphql', '/elsewhere'))).status).toBe(404);
    } finally {
      await service.close();
    }
  });
});
