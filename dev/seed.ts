import { parseArgs } from 'node:util';
import { createLogger, inTransaction, loadSubgraphConfig, openOwnerDatabase, prepareAgencyDatabase } from '../shared';
import { loadAgencies } from '../registry';

const agencies = loadAgencies();

/**
 * `npm run seed -- --children N [--seed S] [--as-of YYYY-MM-DD] [--agency NAME]`:
 * replaces each agency's system of record with the synthetic population. Uses
 * `<AGENCY>_DATABASE_URL` when set, else the embedded database under DATA_DIR
 * (stop `npm start` first: an embedded database has one user at a time).
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { children: { type: 'string', default: '2000' }, seed: { type: 'string', default: '1' }, 'as-of': { type: 'string' }, agency: { type: 'string' } },
  });
  const children = Number(values.children);
  const seed = Number(values.seed);
  if (!Number.isInteger(children) || children < 5)
    throw new Error(`--children must be a whole number of at least 5 (the demo children); got "${values.children}"`);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number; got "${values.seed}"`);
  if (values['as-of'] && !/^\d{4}-\d{2}-\d{2}$/.test(values['as-of'])) throw new Error(`--as-of must be a date as YYYY-MM-DD; got "${values['as-of']}"`);
  const chosen = agencies.filter((a) => !values.agency || a.definition.name === values.agency);
  if (chosen.length === 0) throw new Error(`--agency must be one of ${agencies.map((a) => a.definition.name).join(', ')}; got "${values.agency}"`);
  for (const { definition, seed: seedAgency } of chosen) {
    const config = loadSubgraphConfig(definition.name, definition.defaultPort);
    const started = Date.now();
    const database = await openOwnerDatabase(config);
    try {
      // Migrated, with its service role (and serving login, when configured), as the subgraph would find it; then replaced below.
      await prepareAgencyDatabase(definition, { ...config, seedIfEmpty: false }, database.owner, {
        logger: createLogger(`${definition.name}-seed`, config.logLevel),
      });
      await inTransaction(database.owner, () => seedAgency(database.owner, { children, seed, asOf: values['as-of'] }));
      await database.owner.exec('ANALYZE');
    } finally {
      await database.close();
    }
    process.stdout.write(
      `${definition.name}: seeded ${children} children in ${((Date.now() - started) / 1000).toFixed(1)} s (${config.databaseUrl ? 'PostgreSQL' : config.dataDir})\n`,
    );
  }
}

main().catch((error: Error) => {
  process.stderr.write(`${error.message}\n`);
  process.exit(1);
});
