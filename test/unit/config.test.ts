import { loadGatewayConfig } from '../../gateway';
import { ConfigError, loadSubgraphConfig } from '../../shared';

describe('configuration', () => {
  it("uses the agency's own port and an embedded database by default", () => {
    const config = loadSubgraphConfig('health', 4002, {});
    expect(config).toMatchObject({ port: 4002, databaseUrl: undefined, seedIfEmpty: false, development: false });
    expect(config.dataDir).toMatch(/data\/health$/);
  });

  it.each([
    [{ HEALTH_PORT: 'forty' }, 'HEALTH_PORT="forty"'],
    [{ HEALTH_DATABASE_URL: 'mysql://x' }, 'HEALTH_DATABASE_URL="mysql://x"'],
    [{ SEED_IF_EMPTY: 'yes' }, 'SEED_IF_EMPTY="yes"'],
    [{ LOG_LEVEL: 'loud' }, 'LOG_LEVEL="loud"'],
  ])('stops a subgraph on %p with a message naming the variable and value', (env, named) => {
    expect(() => loadSubgraphConfig('health', 4002, env)).toThrow(ConfigError);
    expect(() => loadSubgraphConfig('health', 4002, env)).toThrow(named);
  });

  it('names a bad URL without its password', () => {
    const attempt = () => loadSubgraphConfig('health', 4002, { HEALTH_SERVICE_DATABASE_URL: 'mysql://health_app:s3cret-value@db/health' });
    expect(attempt).toThrow('HEALTH_SERVICE_DATABASE_URL="mysql://health_app:***@db/health"');
    expect(attempt).not.toThrow(/s3cret-value/);
    // A password with an @ of its own is masked whole.
    expect(() => loadSubgraphConfig('health', 4002, { HEALTH_DATABASE_URL: 'mysql://u:p@ss@db/health' })).toThrow(
      'HEALTH_DATABASE_URL="mysql://u:***@db/health"',
    );
  });

  it('reports every bad gateway value at once', () => {
    const attempt = () => loadGatewayConfig({ PORT: '99999', IDENTITY_URL: 'not a url', REDIS_URL: 'http://redis' });
    expect(attempt).toThrow(
      /PORT="99999"[\s\S]*REDIS_URL="http:\/\/redis"[\s\S]*IDENTITY_URL="not a url"|PORT="99999"[\s\S]*IDENTITY_URL="not a url"[\s\S]*REDIS_URL/,
    );
  });

  it('points the gateway at every agency in the registry, each on its own port, by default', () => {
    expect(loadGatewayConfig({ AUTH_TRUST_DEV_KEY: 'true' }).subgraphs).toEqual([
      { name: 'identity', url: 'http://127.0.0.1:4001/graphql' },
      { name: 'health', url: 'http://127.0.0.1:4002/graphql' },
      { name: 'socialcare', url: 'http://127.0.0.1:4003/graphql' },
      { name: 'housing', url: 'http://127.0.0.1:4004/graphql' },
      { name: 'education', url: 'http://127.0.0.1:4005/graphql' },
      { name: 'police', url: 'http://127.0.0.1:4006/graphql' },
    ]);
  });

  it('refuses to start a gateway that has no way to verify tokens', () => {
    expect(() => loadGatewayConfig({})).toThrow(/AUTH_JWKS_PATH.*AUTH_JWKS_URL.*AUTH_TRUST_DEV_KEY/);
    expect(loadGatewayConfig({ AUTH_JWKS_PATH: '/keys/idp.json' }).authJwksPath).toBe('/keys/idp.json');
  });
});
