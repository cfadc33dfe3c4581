import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { agencyVariables, REGISTRY, type AgencyEntry } from '../../registry';

const repo = join(__dirname, '..', '..');

/** The files of the reference deployment written from the registry: one block per agency, none by hand. */
export const DEPLOY_FILES = {
  'docker-compose.yml': renderCompose,
  'deploy/postgres-init.sql': renderPostgresInit,
} as const;

const GENERATED = 'Written by `npm run registry` from registry/index.ts: edit the registry (or this generator, tools/registry/deploy-files.ts), not this file.';

/** `deploy/postgres-init.sql`: one database per agency, which no login may connect to unless granted it. */
export function renderPostgresInit(agencies: readonly AgencyEntry[] = REGISTRY): string {
  return `-- ${GENERATED}
-- Run once by the postgres image on first start (mounted into /docker-entrypoint-initdb.d/).
-- One database per agency: each subgraph migrates and seeds only its own.
${agencies.map((a) => `CREATE DATABASE ${a.name};`).join('\n')}

-- Only the logins granted it may connect to a database: \`npm run migrate\` grants CONNECT on an agency's
-- database to that agency's serving login alone, so a subgraph's login cannot reach another agency's records
-- (nor the server's own databases).
${[...agencies.map((a) => a.name), 'postgres', 'template1'].map((d) => `REVOKE CONNECT ON DATABASE ${d} FROM PUBLIC;`).join('\n')}
`;
}

const ownerUrl = (a: AgencyEntry) => `postgres://postgres:\${POSTGRES_PASSWORD:?required}@postgres:5432/${a.name}`;
const servingUrl = (a: AgencyEntry) => `postgres://${a.name}_app:\${${a.name.toUpperCase()}_SERVICE_DB_PASSWORD:?required}@postgres:5432/${a.name}`;
const healthTest = (port: number) =>
  `["CMD", "node", "-e", "fetch('http://127.0.0.1:${port}/health').then((r) => process.exit(r.status === 200 ? 0 : 1), () => process.exit(1))"]`;
const indent = (text: string, spaces: number) =>
  text
    .split('\n')
    .map((line) => (line ? ' '.repeat(spaces) + line : line))
    .join('\n');

function subgraphService(a: AgencyEntry): string {
  const v = agencyVariables(a.name);
  return `  ${a.name}:
    <<: *subgraph
    command: ["node", "--min-semi-space-size=16", "--import", "tsx", "subgraphs/${a.name}/main.ts"]
    environment:
      <<: *subgraph-environment
      ${v.port}: "${a.port}"
      # Its own login, a member of ${a.name}_service only: it reads the records and appends to the audit log, nothing more.
      ${v.serviceDatabaseUrl}: ${servingUrl(a)}
    expose:
      - "${a.port}"
    healthcheck:
      <<: *subgraph-healthcheck
      test: ${healthTest(a.port)}
`;
}

function gatewayService(name: string, hostPort: number, first: boolean): string {
  return `  ${name}:
    <<: *gateway
    volumes:
      - ./deploy/keys:/run/keys:ro
      # Its own audit log (and the agencies' heads it witnessed), kept across restarts.
      - ${name}-audit:/app/data
    environment:${first ? ' &gateway-environment' : ''}
${
  first
    ? `      PORT: "4000"
      HOST: 0.0.0.0
${indent(REGISTRY.map((a) => `${agencyVariables(a.name).url}: http://${a.name}:${a.port}/graphql`).join('\n'), 6)}
      REDIS_URL: redis://redis:6379
      SUPERGRAPH_PATH: /app/supergraph.graphql
      AUTH_JWKS_PATH: /run/keys/idp.jwks.json
      AUTH_ISSUER: https://login.northshire.example
      AUTH_AUDIENCE: child-view
      GATEWAY_SIGNING_KEY_PATH: /run/keys/gateway-signing.jwk.json
      GATEWAY_AUDIT_PATH: /app/data/gateway/audit.jsonl
      # Only the operations registered clients (the web app, the caseload export) sent by hash: trusted-documents/ in the image.
      TRUSTED_DOCUMENTS: enforce
      NODE_ENV: production`
    : '      <<: *gateway-environment'
}
    ports:
      - "${hostPort}:4000"
`;
}

/** `docker-compose.yml`: PostgreSQL, Redis, the migrations, every agency's subgraph, two gateway replicas and the web app. */
export function renderCompose(agencies: readonly AgencyEntry[] = REGISTRY): string {
  const ownerVariables = agencies.flatMap((a) => [
    `${agencyVariables(a.name).databaseUrl}: ${ownerUrl(a)}`,
    `${agencyVariables(a.name).serviceDatabaseUrl}: ${servingUrl(a)}`,
  ]);
  return `# ${GENERATED}
#
# Reference deployment of the child view federation: PostgreSQL with one database
# per agency, Redis, every agency's subgraph (${agencies.map((a) => a.name).join(', ')}), two gateway replicas and the
# practitioners' web app.
# The two gateways share their state through Redis, so either may answer any
# request; putting a load balancer in front of them is the deployer's choice.
# Set POSTGRES_PASSWORD (the server's superuser, used only by \`migrate\`) and, for each agency's serving
# login, <AGENCY>_SERVICE_DB_PASSWORD (IDENTITY_SERVICE_DB_PASSWORD …), each different, in printable ASCII, in
# the environment (or an .env file): compose refuses to start without them. Each login may connect only to its
# own agency's database.
# Keys: \`npm run keys -- deploy/keys\` writes the gateway's signing key pair there (git-ignored);
# put the identity provider's public keys in deploy/keys/idp.jwks.json and its issuer and audience in AUTH_ISSUER/AUTH_AUDIENCE.

# What every agency's subgraph shares; each service below adds its port, its login and its health check's port.
x-subgraph: &subgraph
  build: .
  volumes:
    - ./deploy/keys:/run/keys:ro
  depends_on:
    migrate:
      condition: service_completed_successfully

x-subgraph-environment: &subgraph-environment
  HOST: 0.0.0.0
  GATEWAY_JWKS_PATH: /run/keys/gateway.jwks.json
  LOG_LEVEL: info
  NODE_ENV: production

x-subgraph-healthcheck: &subgraph-healthcheck
  interval: 10s
  timeout: 5s
  retries: 30
  start_period: 60s

# What both gateway replicas share; each adds its own audit volume and host port.
x-gateway: &gateway
  build: .
  command: ["node", "--min-semi-space-size=16", "--import", "tsx", "gateway/main.ts"]
  healthcheck:
    test: ${healthTest(4000)}
    interval: 10s
    timeout: 5s
    retries: 30
    start_period: 60s
  depends_on:
    redis:
      condition: service_healthy
${indent(agencies.map((a) => `${a.name}:\n  condition: service_healthy`).join('\n'), 4)}

services:
  postgres:
    image: postgres:16
    environment:
      POSTGRES_PASSWORD: \${POSTGRES_PASSWORD:?required}
    volumes:
      - postgres-data:/var/lib/postgresql/data
      - ./deploy/postgres-init.sql:/docker-entrypoint-initdb.d/postgres-init.sql:ro
    healthcheck:
      test: ["CMD", "pg_isready", "-U", "postgres"]
      interval: 5s
      timeout: 5s
      retries: 20

  redis:
    image: redis:7
    healthcheck:
      test: ["CMD", "redis-cli", "ping"]
      interval: 5s
      timeout: 5s
      retries: 20

  # Run once on every \`up\`, as each agency's owner: migrations, each subgraph's serving login (made a
  # member of the agency's service role, with its <AGENCY>_SERVICE_DB_PASSWORD) and the synthetic seed of an empty
  # database. The subgraphs start once it has finished, holding only their serving logins.
  migrate:
    build: .
    command: ["npx", "tsx", "tools/migrate.ts"]
    environment:
${indent(ownerVariables.join('\n'), 6)}
      SEED_IF_EMPTY: "true"
      LOG_LEVEL: info
      NODE_ENV: production
    depends_on:
      postgres:
        condition: service_healthy

${agencies.map(subgraphService).join('\n')}
${gatewayService('gateway-1', 4000, true)}
${gatewayService('gateway-2', 4010, false)}
  # The practitioners' web app: an ordinary client of the gateway (no database, no key of the gateway's), signing
  # practitioners in through the identity provider. Put the client secret it was registered with in
  # deploy/keys/web-oidc-client.secret and 32+ random bytes in deploy/keys/web-session.secret; serve it over HTTPS.
  web:
    build: .
    volumes:
      - ./deploy/keys:/run/keys:ro
    command: ["node", "--min-semi-space-size=16", "--import", "tsx", "web/main.ts"]
    environment:
      WEB_PORT: "3000"
      WEB_HOST: 0.0.0.0
      GATEWAY_URL: http://gateway-1:4000/graphql
      WEB_SIGN_IN: oidc
      OIDC_ISSUER: https://login.northshire.example
      OIDC_CLIENT_ID: child-view-web
      OIDC_CLIENT_SECRET_PATH: /run/keys/web-oidc-client.secret
      OIDC_REDIRECT_URL: https://child-view.northshire.example/sign-in/callback
      WEB_SESSION_SECRET_PATH: /run/keys/web-session.secret
      LOG_LEVEL: info
      NODE_ENV: production
    ports:
      - "3000:3000"
    healthcheck:
      test: ${healthTest(3000)}
      interval: 10s
      timeout: 5s
      retries: 30
      start_period: 30s
    depends_on:
      gateway-1:
        condition: service_healthy

volumes:
  postgres-data:
  gateway-1-audit:
  gateway-2-audit:
`;
}

/** The deploy files that differ from what the registry says they should be. */
export function staleDeployFiles(): string[] {
  return Object.entries(DEPLOY_FILES).flatMap(([file, render]) => (readFileSync(join(repo, file), 'utf8') === render() ? [] : [file]));
}

/** Writes every deploy file from the registry; returns those that changed. */
export function writeDeployFiles(): string[] {
  const stale = staleDeployFiles();
  for (const file of stale) writeFileSync(join(repo, file), DEPLOY_FILES[file as keyof typeof DEPLOY_FILES]());
  return stale;
}
