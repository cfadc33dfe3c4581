import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { FlattenedSign, importJWK } from 'jose';
import { loadAgencies } from '../../registry';
import { verifyGatewayAudit, witnessedHeads } from '../../gateway';
import {
  auditRowsForChild,
  checkWitnessedHeads,
  DEFAULT_PERIOD_DAYS,
  DEV_KEYS_DIR,
  env,
  loadOrCreateDevKeyPair,
  loadSubgraphConfig,
  migrateAudit,
  nhsNumberProblem,
  normaliseNhsNumber,
  openOwnerDatabase,
  purgeAudit,
  readEnv,
  readJson,
  verifyAuditChain,
  type Database,
  type KeyPair,
  type WitnessedHead,
} from '../../shared';

const agencies = loadAgencies();

const usage = `Usage:
  npm run audit -- verify [--agency <agency>] [--gateway-log <file> ...]
                                                     walk each agency's chain (and each gateway's log, holding every agency's
                                                     chain against the heads the gateway witnessed); exit 1 at the first broken link
  npm run audit -- export --child <nhs number> --agency <agency> [--out <file>] [--since <date>] [--until <date>]
                         [--first <rows>] [--after <row>] [--verify-chain]
                                                     a signed JSON export of a page of that agency's rows about the child
                                                     (default: the last year, 1000 rows a page, at most 10000); each row
                                                     says whether it matches its hash, --verify-chain walks the whole chain
  npm run audit -- purge [--agency <agency>]         delete whole days older than <AGENCY>_AUDIT_RETENTION_DAYS
                                                     (default 2922, eight years), recording the purge in the chain
Each agency's database is <AGENCY>_DATABASE_URL, or the embedded one under DATA_DIR (stop npm start first).`;

const DEFAULT_RETENTION_DAYS = 2922;

/** The record keeper's tools for each agency's audit log: verify the chain, export for a subject access request, purge. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const { values } = parseArgs({
    args: rest,
    options: {
      agency: { type: 'string' },
      child: { type: 'string' },
      out: { type: 'string' },
      'gateway-log': { type: 'string', multiple: true },
      since: { type: 'string' },
      until: { type: 'string' },
      first: { type: 'string' },
      after: { type: 'string' },
      'verify-chain': { type: 'boolean' },
    },
  });
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
      process.stdout.write(
        result.broken
          ? `gateway log ${path}: BROKEN at line ${result.broken.line}: ${result.broken.detail}\n`
          : `gateway log ${path}: intact, ${result.lines} lines\n`,
      );
      for (const [agency, heads] of await witnessedHeads(path)) witnessed.set(agency, [...(witnessed.get(agency) ?? []), ...heads]);
    }
    for (const { definition } of chosen) {
      const retentionDays = retentionDaysOf(definition.name);
      const { chain, witness } = await withAudit(definition.name, definition.defaultPort, async (db) => ({
        chain: await verifyAuditChain(db, { onProgress: progress(definition.name) }),
        witness: await checkWitnessedHeads(db, witnessed.get(definition.name) ?? [], { retentionDays }),
      }));
      const broken = chain.broken ?? witness.broken;
      if (process.stderr.isTTY) process.stderr.write('\r\u001b[K');
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
    const page = exportPage(values);
    const { found, chain } = await withAudit(agency.name, agency.defaultPort, async (db) => ({
      found: await auditRowsForChild(db, nhsNumber, page),
      chain: values['verify-chain'] ? await verifyAuditChain(db, { onProgress: progress(agency.name) }) : null,
    }));
    const rows = found.rows;
    const rowsIntact = rows.every((r) => r.intact);
    const period = { since: page.since, until: page.until || null, first: page.first, after: page.after, next: found.next };
    const keys = await exportKeys(agency.name);
    const document = {
      agency: agency.name,
      nhsNumber,
      exportedAt: new Date().toISOString(),
      page: period,
      rowsIntact,
      ...(chain ? { chainIntact: chain.broken === null } : {}),
      rows,
    };
    const signed = await new FlattenedSign(new TextEncoder().encode(JSON.stringify(document)))
      .setProtectedHeader({ alg: 'ES256', kid: keys.privateJwk.kid, typ: 'audit-export+json' })
      .sign(await importJWK(keys.privateJwk, 'ES256'));
    const out = resolve(values.out ?? `audit-${agency.name}-${nhsNumber}.json`);
    writeFileSync(out, JSON.stringify({ ...signed, document, verifyWith: keys.publicJwks }, null, 2));
    process.stdout.write(`Wrote ${rows.length} rows about ${nhsNumber} from ${agency.name} to ${out}, signed (JWS, ES256, kid ${keys.privateJwk.kid})\n`);
    if (!rowsIntact) process.stdout.write('Some rows do not match their hash: run npm run audit -- verify\n');
    if (found.next !== null) process.stdout.write(`More rows follow: add --after ${found.next} for the next page\n`);
    return 0;
  }
  if (command === 'purge') {
    for (const { definition } of chosen) {
      const days = retentionDaysOf(definition.name);
      const result = await withAudit(definition.name, definition.defaultPort, (db) => purgeAudit(db, days));
      process.stdout.write(
        `${definition.name}: purged ${result.purged} rows older than ${days} days${result.through ? ` (through row ${result.through}); the purge is recorded in the chain` : ''}\n`,
      );
    }
    return 0;
  }
  throw new Error(usage);
}

/** The page of a child's rows the export options ask for: the last year by default, 1000 rows, after a row number. */
function exportPage(values: { since?: string; until?: string; first?: string; after?: string }) {
  for (const name of ['since', 'until'] as const) {
    if (values[name] && Number.isNaN(Date.parse(values[name]))) throw new Error(`--${name}: "${values[name]}" is not an ISO 8601 date or time`);
  }
  const first = values.first === undefined ? 1000 : Number(values.first);
  if (!Number.isInteger(first) || first < 1 || first > 10_000) throw new Error(`--first: "${values.first}" is not a whole number from 1 to 10000`);
  const after = values.after === undefined ? 0 : Number(values.after);
  if (!Number.isInteger(after) || after < 0) throw new Error(`--after: "${values.after}" is not a row number`);
  const until = values.until ?? '';
  const since = values.since ?? new Date((until ? Date.parse(until) : Date.now()) - DEFAULT_PERIOD_DAYS * 86_400_000).toISOString();
  return { since, until, first, after };
}

/** On a terminal, the rows checked so far and the rate, on one line per agency; elsewhere nothing. */
function progress(agency: string): ((checked: number) => void) | undefined {
  if (!process.stderr.isTTY) return undefined;
  const started = Date.now();
  return (checked) => {
    const seconds = (Date.now() - started) / 1000;
    process.stderr.write(
      `\r${agency}: ${checked.toLocaleString('en-GB')} rows checked (${Math.round(checked / Math.max(seconds, 0.001)).toLocaleString('en-GB')} rows/s)\u001b[K`,
    );
  };
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
  (code) => {
    process.exitCode = code;
  },
  (error: Error) => {
    process.stderr.write(`${error.message}\n`);
    process.exitCode = 2;
  },
);
