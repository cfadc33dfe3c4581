import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type { Database } from './database';

/**
 * The login a subgraph serves through, when it has one of its own
 * (`<AGENCY>_SERVICE_DATABASE_URL`): a member of the agency's service role
 * and of nothing else, with no powers of its own. Through it the subgraph
 * reads the system of record and appends to the audit log; it cannot change
 * the records, change or delete audit rows, nor become any other role.
 */

/** The variable naming an agency's serving login. */
export const servingLoginVariable = (agency: string): string => `${agency.toUpperCase()}_SERVICE_DATABASE_URL`;

/** The login a PostgreSQL URL names, and its password if it carries one. */
function loginOf(url: string, variable: string): { login: string; password: string | null } {
  try {
    const parsed = new URL(url);
    return { login: decodeURIComponent(parsed.username), password: parsed.password ? decodeURIComponent(parsed.password) : null };
  } catch {
    throw new Error(`${variable}: the login or password is not percent-encoded correctly`);
  }
}

/**
 * What is wrong with `login` as a serving login for `role`, whatever it is
 * connected as: any power of its own (role attributes are not inherited, but
 * a member can SET ROLE to whoever holds them), any role it can reach besides
 * itself and the service role (the owner, a superuser role, pg_write_all_data,
 * another agency's service role …), and the right to hand the service role on.
 */
async function loginProblems(db: Database, login: string, role: string): Promise<string[]> {
  const [found] = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1', [login]);
  if (!found?.n) return [];
  const [row] = await db.query<{ powers: string[] | null; reaches: string[] | null; admin: boolean }>(
    `SELECT (SELECT array_remove(ARRAY[
                      CASE WHEN r.rolsuper THEN 'SUPERUSER' END, CASE WHEN r.rolcreaterole THEN 'CREATEROLE' END,
                      CASE WHEN r.rolcreatedb THEN 'CREATEDB' END, CASE WHEN r.rolreplication THEN 'REPLICATION' END,
                      CASE WHEN r.rolbypassrls THEN 'BYPASSRLS' END], NULL)
               FROM pg_roles r WHERE r.rolname = $1) AS powers,
            (SELECT array_agg(o.rolname::text ORDER BY o.rolname) FROM pg_roles o
              WHERE o.rolname NOT IN ($1, $2) AND pg_has_role($1::name, o.oid, 'MEMBER')) AS reaches,
            EXISTS (SELECT 1 FROM pg_auth_members m WHERE m.member = (SELECT oid FROM pg_roles WHERE rolname = $1)
                      AND m.roleid = (SELECT oid FROM pg_roles WHERE rolname = $2) AND m.admin_option) AS admin`,
    [login, role],
  );
  if (!row) return [];
  return [
    ...(row.powers?.length ? [`has the power${row.powers.length > 1 ? 's' : ''} ${row.powers.join(', ')}`] : []),
    ...(row.reaches?.length ? [`can become ${row.reaches.slice(0, 5).map((r) => `"${r}"`).join(', ')}${row.reaches.length > 5 ? ` and ${row.reaches.length - 5} more roles` : ''} besides the service role`] : []),
    ...(row.admin ? [`may grant the service role ${role} to others`] : []),
  ];
}

const refusal = (variable: string, login: string, problems: string[]) =>
  new Error(`${variable} names the login "${login}", which ${problems.join('; ')}: the subgraph serves only through a login that can read the system of record and append to the audit log, nothing more`);

/**
 * A SCRAM-SHA-256 verifier for `password` (RFC 5802, as PostgreSQL stores it), so
 * that the password itself never travels in a statement, nor reaches the server's log.
 */
export function scramVerifier(password: string, salt = randomBytes(16), iterations = 4096): string {
  const salted = pbkdf2Sync(password.normalize('NFKC'), salt, iterations, 32, 'sha256');
  const storedKey = createHash('sha256').update(createHmac('sha256', salted).update('Client Key').digest()).digest();
  const serverKey = createHmac('sha256', salted).update('Server Key').digest();
  return `SCRAM-SHA-256$${iterations}:${salt.toString('base64')}$${storedKey.toString('base64')}:${serverKey.toString('base64')}`;
}

/**
 * Run as the owner, after the migrations: makes the login that `url` names a
 * member of the service role, able to connect to this database, creating it
 * with the URL's password if it does not exist yet, or giving it that password
 * if it does (so that changing the password and migrating again rotates it).
 * The owner's own login, and an existing login that could do more than serve,
 * is refused before anything about it is changed.
 */
export async function ensureServingLogin(owner: Database, role: string, url: string, variable: string): Promise<void> {
  const { login, password } = loginOf(url, variable);
  if (!login) throw new Error(`${variable} names no login: give it one of its own (postgres://<login>:<password>@host/database)`);
  const [me] = await owner.query<{ owner: string }>('SELECT session_user AS owner');
  if (me?.owner === login) throw refusal(variable, login, ['is the owner\'s own']);
  const problems = await loginProblems(owner, login, role);
  if (problems.length > 0) throw refusal(variable, login, problems);
  const statement = async (template: string, ...args: string[]) => {
    const [built] = await owner.query<{ sql: string }>(`SELECT format('${template}', ${args.map((_, i) => `$${i + 1}::text`).join(', ')}) AS sql`, args);
    await owner.exec(built!.sql);
  };
  const exists = async () => ((await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1', [login]))[0]?.n ?? 0) > 0;
  if (!(await exists())) {
    // Another replica migrating at the same moment may have created it first.
    await statement('CREATE ROLE %I LOGIN NOINHERIT', login).catch(async (error: unknown) => {
      if (!(await exists())) throw error;
    });
  }
  if (password !== null) await statement('ALTER ROLE %I PASSWORD %L', login, scramVerifier(password));
  await statement('GRANT %I TO %I', role, login);
  // Where CONNECT has been taken from PUBLIC (as deploy/postgres-init.sql does), the login may still connect here.
  const [database] = await owner.query<{ name: string }>('SELECT current_database() AS name');
  await statement('GRANT CONNECT ON DATABASE %I TO %I', database!.name, login);
}

/**
 * Run through the serving connection before the subgraph serves: refuses
 * (fail closed), naming the variable and what is wrong, a login that could do
 * more than the service role may — see loginProblems — or that, as itself or
 * as the service role it acts as, may change or delete audit rows or write to
 * the system of record (a column's grant included), or that does not act as
 * the service role.
 */
export async function checkServingLogin(db: Database, role: string, variable: string): Promise<void> {
  const [row] = await db.query<{ login: string; acting: string; rewrite: string[] | null; writes: string[] | null }>(
    `WITH who AS (SELECT session_user::text AS name UNION SELECT current_user::text)
     SELECT session_user::text AS login, current_user::text AS acting,
            (SELECT array_agg(DISTINCT who.name) FROM who
              WHERE has_table_privilege(who.name, 'service.audit_log', 'UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES')
                 OR has_any_column_privilege(who.name, 'service.audit_log', 'UPDATE')) AS rewrite,
            (SELECT array_agg(DISTINCT format('%s: %I.%I', who.name, t.schemaname, t.tablename)) FROM who, pg_tables t
              WHERE t.schemaname = 'records'
                AND (has_table_privilege(who.name, format('%I.%I', t.schemaname, t.tablename), 'INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER')
                     OR has_any_column_privilege(who.name, format('%I.%I', t.schemaname, t.tablename), 'INSERT, UPDATE'))) AS writes`,
  ).catch((error: Error) => {
    throw new Error(`${variable}: could not check what the login may do (${error.message}); is the login's password right, and has \`npm run migrate\` been run?`);
  });
  if (!row) throw new Error(`${variable}: could not check what the login may do`);
  const problems = [
    ...(await loginProblems(db, row.login, role)),
    ...(row.acting !== role ? [`acts as "${row.acting}", not as the service role ${role}`] : []),
    ...(row.rewrite?.length ? [`may (as ${row.rewrite.join(', ')}) change or delete rows of the audit log`] : []),
    ...(row.writes?.length ? [`may write to the system of record (${row.writes.join(', ')})`] : []),
  ];
  if (problems.length > 0) throw refusal(variable, row.login, problems);
}

/** The migrations in `dirs` (with their namespaces) not recorded as applied, read through the serving connection. */
export async function pendingMigrations(db: Database, dirs: readonly { dir: string; namespace?: string }[], variable: string): Promise<string[]> {
  const rows = await db.query<{ name: string }>('SELECT name FROM public.subgraph_migrations').catch((error: Error & { code?: string }) => {
    // No table: nothing was ever migrated here. Anything else is a fault to report as it is.
    if (error.code === '42P01') return [];
    throw new Error(`${variable}: could not read which migrations are applied (${error.message})`);
  });
  const applied = new Set(rows.map((r) => r.name));
  const expected = dirs.flatMap(({ dir, namespace }) =>
    readdirSync(dir).filter((f) => /^\d+_.+\.sql$/.test(f)).sort().map((file) => (namespace ? `${namespace}:${file}` : file)),
  );
  return expected.filter((name) => !applied.has(name));
}
