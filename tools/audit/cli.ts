import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FlattenedSign, importJWK, type JWK } from 'jose';
import { agencies } from '../../dev/agencies';
import { verifyGatewayAudit, witnessedHeads } from '../../gateway';
import {
  auditRowsForChild, checkWitnessedHeads, DEV_KEYS_DIR, env, loadOrCreateDevKeyPair, loadSubgraphConfig, migrateAudit, nhsNumberProblem, normaliseNhsNumber,
  openOwnerDatabase, purgeAudit, readEnv, readJson, verifyAuditChain, type Database, type KeyPair, type WitnessedHead,
} from '../../shared';

const usage = `Usage:
  npm run audit -- verify [--agency <agency>] [--gateway-log <file> ...]
                                                     walk each agency's chain (and each gateway's log, holding every agency's
                                                     chain against the heads the gateway witnessed); exit 1 at the first broken link
  npm run audit -- export --child <nhs number> --agency <agency> [--out <file>]
                                                     a signed JSON export of that agency's rows about the child
  npm run audit -- purge [--agency <agency>]         delete whole days older than <AGENCY>_AUDIT_RETENTION_DAYS
                                                     (default 2922, eight years), recording the purge in the chain
Each agency's database is <AGENCY>_DATABASE_URL, or the embedded one under DATA_DIR (stop npm start first).`;

const DEFAULT_RETENTION_DAYS = 2922;

/** The record keeper's tools for each agency's audit log: verify the chain, export for a subject access request, purge. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({ args: rest, options: { agency: { type: 'string' }, child: { type: 'string' }, out: { type: 'string' }, 'gateway-log': { type: 'string', multiple: true } } });
  const chosen = agencies.filter((a) => !values.agency || a.definition.name === values.agency);
  if (chosen.length === 0) throw new Error(`--agency must be one of ${agencies.map((a) => a.definition.name).join(', ')}; got "${values.agency}"`);
  if (command === 'verify') {
    let failed = 0;
    const gatewayLogs = values['gateway-log'] ?? [];
    // The heads each agency showed the gateways, from every log given.
    const witnessed = new Map<string, WitnessedHead[]>();
    for (const path of gatewayLogs) {
      const result = await verifyGatewayAudit(path);
      if (result.broken) failed++;
      process.stdout.write(result.broken ? `gateway log ${path}: BROKEN at line ${result.broken.line}: ${result.broken.detail}\n` : `gateway log ${path}: intact, ${result.lines} lines\n`);
      for (const [agency, heads] of await witnessedHeads(path)) witnessed.set(agency, [...(witnessed.get(agency) ?? []), ...heads]);
    }
    for (const { definition } of chosen) {
      const retentionDays = retentionDaysOf(definition.name);
      const { chain, witness } = await withAudit(definition.name, definition.defaultPort, async (db) => ({
        chain: await verifyAuditChain(db),
        witness: await checkWitnessedHeads(db, witnessed.get(definition.name) ?? [], { retentionDays }),
      }));
      const broken = chain.broken ?? witness.broken;
      if (broken) {
        failed++;
        process.stdout.write(`${definition.name}: BROKEN at row ${broken.seq} (${broken.kind}): ${broken.detail}\n`);
      } else {
        const held = gatewayLogs.length > 0 ? `; ${witness.checked} heads witnessed by the gateway match` : '';
        process.stdout.write(`${definition.name}: intact, ${chain.rows} rows${held}\n`);
      }
    }
    return failed === 0 ? 0 : 1;
  }
  if (command === 'export') {
    if (!values.child || !values.agency) throw new Error(usage);
    const problem = nhsNumberProblem(values.child);
    if (problem) throw new Error(`--child: ${problem}`);
    const nhsNumber = normaliseNhsNumber(values.child);
    const agency = chosen[0]!.definition;
    const { rows, chain } = await withAudit(agency.name, agency.defaultPort, async (db) => ({ rows: await auditRowsForChild(db, nhsNumber), chain: await verifyAuditChain(db) }));
    const keys = await exportKeys(agency.name);
    const document = { agency: agency.name, nhsNumber, exportedAt: new Date().toISOString(), chainIntact: chain.broken === null, rows };
    const signed = await new FlattenedSign(new TextEncoder().encode(JSON.stringify(document)))
      .setProtectedHeader({ alg: 'ES256', kid: keys.privateJwk.kid, typ: 'audit-export+json' })
      .sign(await importJWK(keys.privateJwk as JWK, 'ES256'));
    const out = resolve(values.out ?? `audit-${agency.name}-${nhsNumber}.json`);
    writeFileSync(out, JSON.stringify({ ...signed, document, verifyWith: keys.publicJwks }, null, 2));
    process.stdout.write(`Wrote ${rows.length} rows about ${nhsNumber} from ${agency.name} to ${out}, signed (JWS, ES256, kid ${keys.privateJwk.kid})\n`);
    return 0;
  }
  if (command === 'purge') {
    for (const { definition } of chosen) {
      const days = retentionDaysOf(definition.name);
      const result = await withAudit(definition.name, definition.defaultPort, (db) => purgeAudit(db, days));
      process.stdout.write(`${definition.name}: purged ${result.purged} rows older than ${days} days${result.through ? ` (through row ${result.through}); the purge is recorded in the chain` : ''}\n`);
    }
    return 0;
  }
  throw new Error(usage);
}

/** `<AGENCY>_AUDIT_RETENTION_DAYS`: whole days of the agency's audit log kept. */
function retentionDaysOf(agency: string): number {
  const variable = `${agency.toUpperCase()}_AUDIT_RETENTION_DAYS`;
  return (readEnv({ [variable]: env.positiveInt(DEFAULT_RETENTION_DAYS) }, process.env) as Record<string, number>)[variable]!;
}

async function withAudit<T>(agency: string, port: number, work: (db: Database) => Promise<T>): Promise<T> {
  const config = loadSubgraphConfig(agency, port);
  const database = await openOwnerDatabase(config);
  try {
    await migrateAudit(database.owner);
    return await work(database.owner);
  } finally {
    await database.close();
  }
}

/** The agency's export signing key: `<AGENCY>_AUDIT_SIGNING_KEY_PATH` (a key pair file), else a development key in .keys/. */
async function exportKeys(agency: string): Promise<KeyPair> {
  const path = process.env[`${agency.toUpperCase()}_AUDIT_SIGNING_KEY_PATH`];
  if (path) return readJson<KeyPair>(path, `${agency}'s audit signing key`);
  process.stderr.write(`${agency.toUpperCase()}_AUDIT_SIGNING_KEY_PATH is unset: signing with a DEVELOPMENT key in .keys/\n`);
  return loadOrCreateDevKeyPair(join(DEV_KEYS_DIR, `audit-${agency}-dev.json`), `audit-${agency}-dev`);
}

main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  },
);
