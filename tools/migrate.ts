import { parseArgs } from 'node:util';
import { loadAgencies } from '../registry';
import { createLogger, loadSubgraphConfig, loginOf, openOwnerDatabase, prepareAgencyDatabase, servingLoginVariable } from '../shared';

const agencies = loadAgencies();

/**
 * `npm run migrate [-- --agency NAME]`: as each agency's owner
 * (`<AGENCY>_DATABASE_URL`, else the embedded database under DATA_DIR), applies
 * the migrations, sets up the service role, makes the login in
 * `<AGENCY>_SERVICE_DATABASE_URL` (when set) a member of it, creating it if
 * need be, and loads the synthetic seed into an empty system of record when
 * SEED_IF_EMPTY=true. What a subgraph given only its serving login needs done
 * before it starts: it holds no owner's credentials, so it checks, and refuses
 * to serve a database not migrated.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { agency: { type: 'string' } } });
  const chosen = agencies.filter((a) => !values.agency || a.definition.name === values.agency);
  if (chosen.length === 0) throw new Error(`--agency must be one of ${agencies.map((a) => a.definition.name).join(', ')}; got "${values.agency}"`);
  for (const { definition, seed } of chosen) {
    const config = loadSubgraphConfig(definition.name, definition.defaultPort);
    const logger = createLogger(`${definition.name}-migrate`, config.logLevel);
    const database = await openOwnerDatabase(config);
    try {
      await prepareAgencyDatabase(definition, config, database.owner, { seed, logger });
    } finally {
      await database.close();
    }
    process.stdout.write(
      `${definition.name}: migrated${config.serviceDatabaseUrl ? `; serves as ${loginOf(config.serviceDatabaseUrl, servingLoginVariable(definition.name)).login}` : ''} (${config.databaseUrl ? 'PostgreSQL' : config.dataDir})\n`,
    );
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
