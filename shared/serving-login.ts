import { readdirSync } from 'node:fs';
import type { Database } from './database';

/**
 * The login a subgraph serves through, when it has one of its own
 * (`<AGENCY>_SERVICE_DATABASE_URL`): a member of the agency's service role
 * and nothing more. Through it the subgraph reads the system of record and
 * appends to the audit log; it cannot change either, nor become the owner,
 * so what a compromised subgraph could rewrite is nothing at all.
 */

/** The variable naming an agency's serving login. */
export const servingLoginVariable = (agency: string): string => `${agency.toUpperCase()}_SERVICE_DATABASE_URL`;

/** The login a PostgreSQL URL names, and its password if it carries one. */
function loginOf(url: string): { login: string; password: string | null } {
  const parsed = new URL(url);
  const login = decodeURIComponent(parsed.username);
  return { login, password: parsed.password ? decodeURIComponent(parsed.password) : null };
}

/**
 * Run as the owner, after the migrations: makes the login that `url` names a
 * member of the service role, creating it with the URL's password if it does
 * not exist yet, or giving it that password if it does (so that changing the
 * password in the configuration and migrating again rotates it). The owner's
 * own login, and any login that may create roles or is a superuser, is refused
 * before anything is changed.
 */
export async function ensureServingLogin(owner: Database, role: string, url: string, variable: string): Promise<void> {
  const { login, password } = loginOf(url);
  if (!login) throw new Error(`${variable} names no login: give it one of its own (postgres://<login>:<password>@host/database)`);
  const [me] = await owner.query<{ owner: string }>('SELECT session_user AS owner');
  if (me?.owner === login) throw new Error(`${variable} names the login "${login}", which is the owner's own: the subgraph must serve through a login of its own`);
  const [existing] = await owner.query<{ privileged: boolean }>('SELECT rolsuper OR rolcreaterole AS privileged FROM pg_roles WHERE rolname = $1', [login]);
  if (existing?.privileged) throw new Error(`${variable} names the login "${login}", which is a superuser or may create roles: the subgraph must serve through a login of its own with no such powers`);
  const statement = async (template: string, ...args: string[]) => {
    const [built] = await owner.query<{ sql: string }>(`SELECT format('${template}', ${args.map((_, i) => `$${i + 1}::text`).join(', ')}) AS sql`, args);
    await owner.exec(built!.sql);
  };
  if (!existing) {
    // Another replica migrating at the same moment may have created it first.
    await statement(password === null ? 'CREATE ROLE %I LOGIN' : 'CREATE ROLE %I LOGIN PASSWORD %L', login, ...(password === null ? [] : [password])).catch(async (error: unknown) => {
      const [again] = await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1', [login]);
      if (!again?.n) throw error;
    });
  }
  if (existing && password !== null) await statement('ALTER ROLE %I PASSWORD %L', login, password);
  await statement('GRANT %I TO %I', role, login);
}

/**
 * Run through the serving connection before the subgraph serves: refuses a
 * login that could do more than the service role may (fail closed), naming
 * the variable and what is wrong.
 */
export async function checkServingLogin(db: Database, role: string, variable: string): Promise<void> {
  const [row] = await db.query<{
    login: string; acting: string; superuser: boolean; createrole: boolean; member: boolean; owner: boolean; rewrite: boolean; writes_records: boolean;
  }>(
    `SELECT session_user AS login, current_user AS acting, r.rolsuper AS superuser, r.rolcreaterole AS createrole,
            pg_has_role(session_user, $1::name, 'MEMBER') AS member,
            pg_has_role(session_user, c.relowner, 'MEMBER') AS owner,
            has_table_privilege(session_user, c.oid, 'UPDATE, DELETE, TRUNCATE') AS rewrite,
            EXISTS (SELECT 1 FROM pg_tables t WHERE t.schemaname = 'records'
                      AND has_table_privilege(session_user, format('%I.%I', t.schemaname, t.tablename), 'INSERT, UPDATE, DELETE, TRUNCATE')) AS writes_records
       FROM pg_roles r, pg_class c
      WHERE r.rolname = session_user AND c.oid = 'service.audit_log'::regclass`,
    [role],
  ).catch((error: Error) => {
    throw new Error(`${variable}: could not check what the login may do (${error.message}); has \`npm run migrate\` been run?`);
  });
  if (!row) throw new Error(`${variable}: could not check what the login may do`);
  const wrong = [
    row.superuser && 'is a superuser',
    row.createrole && 'may create roles (and so grant itself any)',
    row.owner && 'is, or may become, the owner of the agency\'s database objects',
    row.rewrite && 'may change or delete rows of the audit log',
    row.writes_records && 'may write to the system of record',
    !row.member && `is not a member of the service role ${role}`,
    row.member && row.acting !== role && `does not act as the service role ${role}`,
  ].filter((reason): reason is string => Boolean(reason));
  if (wrong.length > 0) {
    throw new Error(`${variable} names the login "${row.login}", which ${wrong.join(', ')}: the subgraph serves only through a login that can read the system of record and append to the audit log, nothing more`);
  }
}

/** The migrations in `dirs` (with their namespaces) not recorded as applied, read through the serving connection. */
export async function pendingMigrations(db: Database, dirs: readonly { dir: string; namespace?: string }[]): Promise<string[]> {
  const applied = new Set(
    (await db.query<{ name: string }>('SELECT name FROM public.subgraph_migrations').catch(() => [])).map((r) => r.name),
  );
  const expected = dirs.flatMap(({ dir, namespace }) =>
    readdirSync(dir).filter((f) => /^\d+_.+\.sql$/.test(f)).sort().map((file) => (namespace ? `${namespace}:${file}` : file)),
  );
  return expected.filter((name) => !applied.has(name));
}
