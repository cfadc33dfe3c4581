import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { loadAgencies } from '../registry';
import { demoPersona } from '../dev/personas';
import {
  CONTEXT_HEADER,
  createContextSigner,
  createKeyPair,
  createLogger,
  startAgency,
  type Authority,
  type RunningAgency,
  type SubgraphConfig,
} from '../shared';
import { syntheticNhsNumbers } from '../synthetic';
import { median } from './stats';

const agencies = loadAgencies();

/**
 * `npx tsx bench/subgraph-enforcement.ts [--runs 40] [--children 2000] [--agency socialcare …] [--selection full|caseload]` (needs TEST_DATABASE_URL):
 * what an agency's own enforcement (the per-operation caller check plus the
 * graphql-shield record rules) costs on a 500-child caseload. Each agency runs
 * twice over the same PostgreSQL database, enforcing and not; the same
 * `_entities` request for 500 children, as sw.jones for safeguarding, alternates
 * between them, and the medians are compared.
 */
const fullSelections: Record<string, string> = {
  health:
    'health { registeredGp { practiceName odsCode } healthVisitor { name phone } immunisations { vaccine date } emergencyAttendances { date hospital reason } conditions { name since } }',
  socialcare:
    'socialCare { status statusSince localAuthority { name dutyPhone } allocatedWorker { name phone team } referrals { date source reason } caseNotes { date author text } }',
  housing:
    'housing { matchConfidence matchedOn tenancy { address type landlord startDate } household { name relationship } temporaryAccommodation antisocialBehaviourCases { date category } rentArrears }',
  education:
    'education { school { name urn designatedSafeguardingLead { name phone } } attendanceRate unauthorisedAbsences exclusions { date type days } senSupport ehcp freeSchoolMeals }',
};
/** Each agency's part of the federation benchmark's caseload query (bench/run.ts). */
const caseloadSelections: Record<string, string> = {
  health: 'health { registeredGp { practiceName } conditions { name } }',
  socialcare: 'socialCare { status allocatedWorker { name } }',
  housing: 'housing { matchConfidence tenancy { landlord } rentArrears }',
  education: 'education { school { name } attendanceRate }',
};

async function main() {
  const { values } = parseArgs({
    options: {
      runs: { type: 'string', default: '40' },
      children: { type: 'string', default: '2000' },
      agency: { type: 'string', multiple: true },
      selection: { type: 'string', default: 'full' },
    },
  });
  if (!['full', 'caseload'].includes(values.selection)) throw new Error(`--selection must be full or caseload; got "${values.selection}"`);
  const selections = values.selection === 'caseload' ? caseloadSelections : fullSelections;
  const server = process.env.TEST_DATABASE_URL;
  if (!server) throw new Error('Set TEST_DATABASE_URL (e.g. postgres://postgres@127.0.0.1:5432/postgres)');
  const keys = await createKeyPair('bench');
  const authority: Authority = { caller: demoPersona('sw.jones'), purpose: 'safeguarding', traceId: 'bench' };
  const sign = createContextSigner({ privateJwk: keys.privateJwk });
  const numbers = syntheticNhsNumbers();
  const nhs = Array.from({ length: 500 }, () => numbers.next().value as string);
  const logger = createLogger('bench', 'silent');
  const admin = new Client({ connectionString: server });
  await admin.connect();
  const running: RunningAgency[] = [];
  const lines = [
    '| agency | records of the 500 | FORBIDDEN errors | enforcing ms (median) | not enforcing ms | enforcement share |',
    '|---|---|---|---|---|---|',
  ];
  try {
    const identityDef = agencies.find((a) => a.definition.name === 'identity')!;
    const identityUrl = await database(admin, server, 'identity');
    const identity = await start(identityDef, identityUrl, 'enforce');
    running.push(identity);
    const people = (
      await post(
        identity.url,
        `{ children(nhsNumbers: ${JSON.stringify(nhs)}) { nhsNumber name { given family } dateOfBirth address { postcode } restricted } }`,
        await sign(authority, 'identity'),
      )
    ).data.children;
    for (const agency of agencies.filter((a) => selections[a.definition.name] && (!values.agency || values.agency.includes(a.definition.name)))) {
      const url = await database(admin, server, agency.definition.name);
      const on = await start(agency, url, 'enforce');
      const off = await start(agency, url, 'off');
      running.push(on, off);
      const reps = people.map((p: Record<string, unknown>) => ({
        __typename: 'Child',
        ...(agency.definition.name === 'housing' ? p : { nhsNumber: p.nhsNumber }),
      }));
      const query = `query ($r: [_Any!]!) { _entities(representations: $r) { ... on Child { ${selections[agency.definition.name]} } } }`;
      const context = await sign(authority, agency.definition.name);
      let records = 0;
      let denials = 0;
      const time = async (target: RunningAgency) => {
        const t = performance.now();
        const body = await post(target.url, query, context, { r: reps });
        if (!body.data?._entities) throw new Error(JSON.stringify(body.errors));
        const elapsed = performance.now() - t;
        records = body.data._entities.filter((e: Record<string, unknown>) => Object.values(e).some((v) => v !== null)).length;
        if (target === on) denials = body.errors?.length ?? 0;
        return elapsed;
      };
      for (let i = 0; i < 5; i++) {
        await time(on);
        await time(off);
      }
      const a: number[] = [];
      const b: number[] = [];
      for (let i = 0; i < Number(values.runs); i++) {
        a.push(await time(on));
        b.push(await time(off));
      }
      const m = median;
      lines.push(
        `| ${agency.definition.name} | ${records} | ${denials} | ${m(a).toFixed(1)} | ${m(b).toFixed(1)} | ${(((m(a) - m(b)) / m(a)) * 100).toFixed(1)} % |`,
      );
    }
  } finally {
    for (const r of running) await r.stop();
    await admin.end();
  }
  process.stdout.write(
    `500-child caseload through each agency's subgraph (${values.selection === 'caseload' ? "the federation benchmark's caseload fields" : 'every field'}), as sw.jones (safeguarding); ${values.runs} alternating runs\n${lines.join('\n')}\n`,
  );

  async function start(agency: (typeof agencies)[number], databaseUrl: string, authorization: 'enforce' | 'off') {
    const config: SubgraphConfig = {
      agency: agency.definition.name,
      port: 0,
      host: '127.0.0.1',
      databaseUrl,
      seedIfEmpty: true,
      seedChildren: Number(values.children),
      seed: 1,
      logLevel: 'silent',
      development: false,
    };
    return startAgency(agency.definition, config, { seed: agency.seed, logger, gatewayKeys: keys.publicJwks, authorization });
  }
}

const created: string[] = [];
async function database(admin: Client, server: string, agency: string): Promise<string> {
  const name = `cvbench_enf_${agency}_${randomBytes(3).toString('hex')}`;
  await admin.query(`CREATE DATABASE ${name}`);
  created.push(name);
  const url = new URL(server);
  url.pathname = `/${name}`;
  return url.toString();
}

async function post(url: string, query: string, context: string, variables?: Record<string, unknown>) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: context },
    body: JSON.stringify({ query, variables }),
  });
  return (await response.json()) as { data?: any; errors?: unknown[] };
}

main()
  .catch((error) => {
    process.stderr.write(`${(error as Error).stack}\n`);
    process.exitCode = 1;
  })
  .finally(async () => {
    const admin = new Client({ connectionString: process.env.TEST_DATABASE_URL });
    await admin.connect().catch(() => undefined);
    for (const name of created) await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`).catch(() => undefined);
    await admin.end().catch(() => undefined);
  });
