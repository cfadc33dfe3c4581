import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type { Database } from './database';

/**
 * The login a subgraph serves through, when it has one of its own
 * (`<AGENCY>_SERVICE_DATABASE_URL`): a member of the agency's service role
 * and of nothing else, owning nothing, with no powers of its own. Through it
 * the subgraph reads the system of record and appends to the audit log; it
 * cannot change the records, change or delete audit rows, nor become any other
 * role.
 */

/** The variable naming an agency's serving login. */
export const servingLoginVariable = (agency: string): string => `${agency.toUpperCase()}_SERVICE_DATABASE_URL`;

/** The variable naming an agency's owner's login, as the messages that ask for it name it. */
export const ownerLoginVariable = (agency: string): string => `${agency.toUpperCase()}_DATABASE_URL`;

/** The login a PostgreSQL URL names, and its password if it carries one. */
export function loginOf(url: string, variable: string): { login: string; password: string | null } {
  try {
    const parsed = new URL(url);
    return { login: decodeURIComponent(parsed.username), password: parsed.password ? decodeURIComponent(parsed.password) : null };
  } catch {
    throw new Error(`${variable}: the login or password is not percent-encoded correctly`);
  }
}

/**
 * What is wrong with `login` as a serving login for the service role `role`
 * (and with the role itself), whatever the connection asking: any power of
 * either's own (role attributes are not inherited, but whoever can SET ROLE to
 * a role has them); any role either can become besides the two (the owner, a
 * superuser role, pg_write_all_data, another agency's service role …); the
 * right to hand the service role on; anything either owns (an owner may
 * replace a function the chain runs, or drop a table, whatever its grants
 * say); any way for either to write the audit log or its head other than
 * through service.append_audit, to write the system of record, or to write
 * through a view (which runs with its owner's rights), a column's grant,
 * triggers and tables inheriting from the log included; the right to create
 * objects in any schema or the database (a function there could be found, by
 * its closer match, in place of one the owner's statements call); rights that
 * tables made later would be born with; and anything else that runs with
 * another's rights: functions so defined (append_audit aside), triggers and
 * rules on the subgraph's tables and the records.
 * `login` null: the role alone (a login not yet made).
 */
async function serviceProblems(db: Database, login: string | null, role: string): Promise<string[]> {
  const [row] = await db.query<{
    powers: string[] | null;
    reaches: string[] | null;
    admin: boolean;
    owns: string[] | null;
    writes: string[] | null;
    creates: string[] | null;
    defaults: string[] | null;
    definers: string[] | null;
    hooks: string[] | null;
  }>(
    `WITH pair AS (SELECT oid, rolname::text AS name, rolsuper, rolcreaterole, rolcreatedb, rolreplication, rolbypassrls FROM pg_roles WHERE rolname IN ($1, $2))
     SELECT
       (SELECT array_agg(format('%s has %s', p.name, power) ORDER BY p.name, power) FROM pair p,
          unnest(ARRAY[CASE WHEN p.rolsuper THEN 'SUPERUSER' END, CASE WHEN p.rolcreaterole THEN 'CREATEROLE' END, CASE WHEN p.rolcreatedb THEN 'CREATEDB' END,
                       CASE WHEN p.rolreplication THEN 'REPLICATION' END, CASE WHEN p.rolbypassrls THEN 'BYPASSRLS' END]) AS power
         WHERE power IS NOT NULL) AS powers,
       (SELECT array_agg(o.rolname::text ORDER BY o.rolname) FROM pg_roles o
         WHERE o.rolname NOT IN ($1, $2) AND EXISTS (SELECT 1 FROM pair p WHERE pg_has_role(p.oid, o.oid, 'MEMBER'))) AS reaches,
       EXISTS (SELECT 1 FROM pg_auth_members m JOIN pair l ON l.oid = m.member AND l.name = $1 JOIN pair r ON r.oid = m.roleid AND r.name = $2
                WHERE m.admin_option AND $1 <> $2) AS admin,
       (SELECT array_agg(DISTINCT format('%s owns %s', p.name, pg_describe_object(d.classid, d.objid, d.objsubid))) FROM pg_shdepend d JOIN pair p ON p.oid = d.refobjid
         WHERE d.deptype = 'o' AND d.dbid IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))) AS owns,
       (WITH RECURSIVE chain(oid) AS (
          -- The log and its head, with any table that inherits from them (or is a partition of them): rows put there are the log's rows.
          SELECT 'service.audit_log'::regclass::oid UNION SELECT 'service.audit_head'::regclass::oid
          UNION SELECT i.inhrelid FROM pg_inherits i JOIN chain ON i.inhparent = chain.oid)
        SELECT array_agg(DISTINCT format('%s: %s', p.name, c.oid::regclass::text)) FROM pair p, pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE (c.oid IN (SELECT oid FROM chain)
                  AND (has_table_privilege(p.oid, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES')
                       OR has_any_column_privilege(p.oid, c.oid, 'INSERT, UPDATE, REFERENCES')))
            OR (n.nspname = 'records' AND c.relkind IN ('r', 'p', 'v', 'f')
                  AND (has_table_privilege(p.oid, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER')
                       OR has_any_column_privilege(p.oid, c.oid, 'INSERT, UPDATE')))
            -- A view (or foreign table) anywhere but the catalogs writes with its owner's rights, wherever it points.
            OR (c.relkind IN ('v', 'f') AND n.nspname NOT IN ('pg_catalog', 'information_schema')
                  AND (has_table_privilege(p.oid, c.oid, 'INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER')
                       OR has_any_column_privilege(p.oid, c.oid, 'INSERT, UPDATE')))) AS writes,
       (SELECT array_agg(format('%s: %s', p.name, what) ORDER BY p.name, what) FROM pair p, (
          SELECT 'schema ' || n.nspname AS what, n.oid AS on_oid, 'schema' AS kind FROM pg_namespace n WHERE n.nspname !~ '^pg_(toast|temp)'
          UNION ALL SELECT 'database ' || current_database(), 0, 'database') AS t
         WHERE (t.kind = 'schema' AND has_schema_privilege(p.oid, t.on_oid, 'CREATE'))
            OR (t.kind = 'database' AND has_database_privilege(p.oid, current_database(), 'CREATE'))) AS creates,
       -- Privileges that tables made later would be born with, for either of them or for everyone.
       (SELECT array_agg(DISTINCT format('%s %s on tables made %s', CASE WHEN a.grantee = 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type,
                                         CASE WHEN d.defaclnamespace = 0 THEN 'anywhere' ELSE 'in ' || d.defaclnamespace::regnamespace::text END))
          FROM pg_default_acl d, aclexplode(d.defaclacl) a
         WHERE d.defaclobjtype = 'r' AND a.privilege_type IN ('INSERT', 'UPDATE', 'DELETE', 'TRUNCATE', 'TRIGGER', 'REFERENCES')
           AND (a.grantee = 0 OR a.grantee IN (SELECT oid FROM pair))) AS defaults,
       -- What runs with someone else's rights when either calls it or writes where it is: functions defined so, triggers and rules.
       (SELECT array_agg(DISTINCT format('%s: function %s', p.name, f.oid::regprocedure::text)) FROM pair p, pg_proc f JOIN pg_namespace n ON n.oid = f.pronamespace
         WHERE f.prosecdef AND n.nspname NOT IN ('pg_catalog', 'information_schema')
           AND f.oid <> 'service.append_audit(text[], text[], text[])'::regprocedure AND has_function_privilege(p.oid, f.oid, 'EXECUTE')) AS definers,
       (SELECT array_agg(DISTINCT format('%s on %s', x.name, x.rel::regclass::text)) FROM (
          SELECT t.tgname::text AS name, t.tgrelid AS rel FROM pg_trigger t WHERE NOT t.tgisinternal
          UNION ALL SELECT r.rulename::text, r.ev_class FROM pg_rewrite r WHERE r.rulename <> '_RETURN') AS x
          JOIN pg_class c ON c.oid = x.rel JOIN pg_namespace n ON n.oid = c.relnamespace
         WHERE n.nspname IN ('service', 'records')) AS hooks`,
    [login ?? role, role],
  );
  if (!row) return [];
  return [
    ...(row.powers?.length ? [`has powers of its own (${some(row.powers)})`] : []),
    ...(row.reaches?.length ? [`can become ${some(row.reaches.map((r) => `"${r}"`))} besides the service role`] : []),
    ...(row.admin ? [`may grant the service role ${role} to others`] : []),
    ...(row.owns?.length ? [`owns objects (${some(row.owns)})`] : []),
    ...(row.writes?.length
      ? [`may write the audit log other than through service.append_audit, or the system of record, or through a view (${some(row.writes)})`]
      : []),
    ...(row.creates?.length ? [`may create objects (${some(row.creates)})`] : []),
    ...(row.defaults?.length ? [`would be given rights on tables made later (${some(row.defaults)})`] : []),
    ...(row.definers?.length ? [`may call functions that run with their owner's rights (${some(row.definers)})`] : []),
    ...(row.hooks?.length ? [`writes where triggers or rules run with their owner's rights (${some(row.hooks)})`] : []),
  ];
}

/** The first few of a list, and how many more: what a message names. */
const some = (xs: readonly string[], n = 5) => `${xs.slice(0, n).join(', ')}${xs.length > n ? ` and ${xs.length - n} more` : ''}`;

const refusal = (variable: string, login: string, problems: string[]) =>
  new Error(
    `${variable} names the login "${login}", which ${problems.join('; ')}: the subgraph serves only through a login that can read the system of record and append to the audit log, nothing more`,
  );

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
 * Run as the owner, after the migrations and ensureServiceRole: makes the login
 * that `url` names (NOINHERIT) a member of the service role, able to connect
 * to this database, creating it with the
 * URL's password if it does not exist yet, or giving it that password if it
 * does (so that changing the password and migrating again rotates it). The
 * owner's own login, and an existing login (or a service role) that could do
 * more than serve, is refused before anything about it is changed.
 */
export async function ensureServingLogin(owner: Database, role: string, url: string, variable: string): Promise<void> {
  const { login, password } = loginOf(url, variable);
  if (!login) throw new Error(`${variable} names no login: give it one of its own (postgres://<login>:<password>@host/database)`);
  // What every client and the server read the same way (SCRAM's SASLprep changes nothing in printable ASCII).
  if (password !== null && !/^[\x20-\x7e]+$/.test(password)) throw new Error(`${variable}: the password must be printable ASCII characters`);
  const [me] = await owner.query<{ owner: string }>('SELECT session_user AS owner');
  if (me?.owner === login) throw refusal(variable, login, ["is the owner's own"]);
  const exists = async () => ((await owner.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_roles WHERE rolname = $1', [login]))[0]?.n ?? 0) > 0;
  const existed = await exists();
  const problems = await serviceProblems(owner, existed ? login : null, role);
  if (problems.length > 0) throw refusal(variable, login, problems);
  const statement = async (template: string, ...args: string[]) => {
    const [built] = await owner.query<{ sql: string }>(`SELECT format('${template}', ${args.map((_, i) => `$${i + 1}::text`).join(', ')}) AS sql`, args);
    await owner.exec(built!.sql);
  };
  if (!existed) {
    // Another replica migrating at the same moment may have created it first.
    await statement('CREATE ROLE %I LOGIN NOINHERIT', login).catch(async (error: unknown) => {
      if (!(await exists())) throw error;
    });
  }
  await statement('ALTER ROLE %I NOINHERIT', login);
  if (password !== null) await statement('ALTER ROLE %I PASSWORD %L', login, scramVerifier(password));
  await statement('GRANT %I TO %I', role, login);
  // The login may connect to this database even where CONNECT has been taken from PUBLIC (as the reference
  // deployment does); a GRANT the owner may not make only warns, so whether it took is checked.
  const [database] = await owner.query<{ name: string }>('SELECT current_database()::text AS name');
  await statement('GRANT CONNECT ON DATABASE %I TO %I', database!.name, login);
  const [connect] = await owner.query<{ ok: boolean }>("SELECT has_database_privilege($1, current_database(), 'CONNECT') AS ok", [login]);
  if (!connect?.ok)
    throw new Error(
      `${variable}: the login "${login}" may not connect to ${database!.name}, and the owner could not let it: grant it CONNECT as the database's owner`,
    );
}

/**
 * Run through the serving connection before the subgraph serves: refuses
 * (fail closed), naming the variable and what is wrong, a login that does not
 * act as the service role, or that (or whose service role) could do more than
 * serve: see serviceProblems.
 */
export async function checkServingLogin(db: Database, role: string, variable: string): Promise<void> {
  const [row] = await db.query<{ login: string; acting: string }>('SELECT session_user::text AS login, current_user::text AS acting').catch((error: Error) => {
    throw new Error(
      `${variable}: could not connect as the login, acting as the service role ${role} (${error.message}); is the login's password right, and has \`npm run migrate\` been run?`,
    );
  });
  if (!row) throw new Error(`${variable}: could not check what the login may do`);
  const problems = await serviceProblems(db, row.login, role).catch((error: Error) => {
    throw new Error(`${variable}: could not check what the login may do (${error.message}); has \`npm run migrate\` been run?`);
  });
  if (row.acting !== role) problems.unshift(`acts as "${row.acting}", not as the service role ${role}`);
  if (problems.length > 0) throw refusal(variable, row.login, problems);
}

/**
 * Run through the serving connection, once the migrations are known to be in place: refuses
 * (fail closed) to serve while service.append_audit, which runs with its owner's rights, is owned by
 * a role that could do more than add rows to the audit log and move its head: one with powers of
 * its own or able to log in (the migrating superuser, say), able to become another role, owning
 * anything else, or granted anything else (to read the log or the records, to change a row once
 * written, to create objects, to use a sequence or call a function …). `npm run migrate` gives it to
 * the agency's audit writer (auditWriterRole), and takes from the writer whatever else it was granted there.
 */
export async function checkAppendDefiner(db: Database, variable: string, ownerVariable: string, writer: string): Promise<void> {
  const [row] = await db
    .query<{ owner: string; powers: string[] | null; reaches: string[] | null; owns: string[] | null; grants: string[] | null }>(
      `WITH fn AS (SELECT 'service.append_audit(text[], text[], text[])'::regprocedure::oid AS oid),
          d AS (SELECT r.oid, r.rolname::text AS name, r.rolsuper, r.rolcreaterole, r.rolcreatedb, r.rolreplication, r.rolbypassrls, r.rolcanlogin
                  FROM pg_roles r JOIN pg_proc f ON f.proowner = r.oid WHERE f.oid = (SELECT oid FROM fn))
     SELECT d.name AS owner,
       (SELECT array_agg(power) FROM unnest(ARRAY[CASE WHEN d.rolsuper THEN 'SUPERUSER' END, CASE WHEN d.rolcreaterole THEN 'CREATEROLE' END,
          CASE WHEN d.rolcreatedb THEN 'CREATEDB' END, CASE WHEN d.rolreplication THEN 'REPLICATION' END, CASE WHEN d.rolbypassrls THEN 'BYPASSRLS' END,
          CASE WHEN d.rolcanlogin THEN 'LOGIN' END]) AS power WHERE power IS NOT NULL) AS powers,
       (SELECT array_agg(o.rolname::text ORDER BY o.rolname) FROM pg_roles o WHERE o.oid <> d.oid AND pg_has_role(d.oid, o.oid, 'MEMBER')) AS reaches,
       (SELECT array_agg(DISTINCT pg_describe_object(s.classid, s.objid, s.objsubid)) FROM pg_shdepend s
         WHERE s.refobjid = d.oid AND s.deptype = 'o' AND s.dbid IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
           AND NOT (s.classid = 'pg_proc'::regclass AND s.objid = (SELECT oid FROM fn))) AS owns,
       -- Every grant naming it, on anything in this database or the server's (tables, columns, sequences, schemas,
       -- functions, databases …), but the four it needs: what PUBLIC may do is the serving login's check.
       (SELECT array_agg(g ORDER BY g) FROM (
          SELECT CASE
                   WHEN s.classid = 'pg_class'::regclass AND s.objsubid = 0 THEN
                     (SELECT string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) FROM pg_class c, aclexplode(c.relacl) a
                       WHERE c.oid = s.objid AND a.grantee = d.oid
                         AND NOT (c.oid = 'service.audit_log'::regclass AND a.privilege_type = 'INSERT')
                         AND NOT (c.oid = 'service.audit_head'::regclass AND a.privilege_type IN ('SELECT', 'UPDATE')))
                   WHEN s.classid = 'pg_namespace'::regclass THEN
                     (SELECT string_agg(a.privilege_type, ', ' ORDER BY a.privilege_type) FROM pg_namespace n, aclexplode(n.nspacl) a
                       WHERE n.oid = s.objid AND a.grantee = d.oid AND NOT (n.nspname = 'service' AND a.privilege_type = 'USAGE'))
                   ELSE 'rights'
                 END || ' on ' || pg_describe_object(s.classid, s.objid, s.objsubid) AS g
            FROM pg_shdepend s
           WHERE s.refobjid = d.oid AND s.deptype = 'a' AND s.dbid IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))) AS t
         WHERE g IS NOT NULL) AS grants
     FROM d`,
    )
    .catch((error: Error) => {
      throw new Error(`${variable}: could not check what service.append_audit runs as (${error.message}); has \`npm run migrate\` been run?`);
    });
  if (!row) throw new Error(`${variable}: could not check what service.append_audit runs as`);
  // A superuser may do everything the rest would list.
  const problems = row.powers?.includes('SUPERUSER')
    ? ['is a superuser']
    : [
        ...(row.powers?.length ? [`has powers of its own (${some(row.powers)})`] : []),
        ...(row.reaches?.length ? [`can become ${some(row.reaches.map((r) => `"${r}"`))}`] : []),
        ...(row.owns?.length ? [`owns ${some(row.owns)}`] : []),
        ...(row.grants?.length ? [`has been granted more than adding rows to the log and moving its head (${some(row.grants)})`] : []),
      ];
  if (problems.length > 0) {
    throw new Error(
      `service.append_audit runs with the rights of its owner "${row.owner}", which ${problems.join('; ')}: run \`npm run migrate\` with ${ownerVariable} (the owner's login), which gives it to ${writer}, a role that may only append to the log, and takes back anything else granted to it there`,
    );
  }
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
    readdirSync(dir)
      .filter((f) => /^\d+_.+\.sql$/.test(f))
      .sort()
      .map((file) => (namespace ? `${namespace}:${file}` : file)),
  );
  return expected.filter((name) => !applied.has(name));
}
