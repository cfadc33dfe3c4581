import { createHash } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import { PGlite } from '@electric-sql/pglite';
import { Pool } from 'pg';

/** The one way a subgraph talks to its agency's database, PostgreSQL or embedded PGlite alike. */
export interface Database {
  readonly kind: 'postgres' | 'pglite';
  /**
   * Runs one statement with positional parameters ($1, $2 …) and returns its rows. With `prepare`, for a
   * statement whose text never changes and which runs on every request, PostgreSQL parses (and may plan) it
   * once per connection rather than each time; PGlite runs it as it is.
   */
  query<R = Record<string, unknown>>(sql: string, params?: unknown[], options?: { prepare?: boolean }): Promise<R[]>;
  /** Runs a script of several statements without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /** Answers when the database can run a statement. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export interface AgencyDatabaseOptions {
  /** PostgreSQL URL; when absent an embedded PGlite database is used. */
  url?: string;
  /** Folder for PGlite's files; when absent PGlite keeps everything in memory. */
  dataDir?: string;
}

/**
 * An agency's database, opened as the owner (for migrations and seeding), and
 * able to hand out the connection the subgraph serves from: the agency's
 * service role, which may only SELECT from the system of record.
 */
export interface AgencyDatabase {
  readonly owner: Database;
  /** The connection the subgraph serves from, running as `role`. */
  asRole(role: string): Promise<Database>;
  close(): Promise<void>;
}

export async function openAgencyDatabase(options: AgencyDatabaseOptions): Promise<AgencyDatabase> {
  return options.url ? openPostgres(options.url) : openPglite(options.dataDir);
}

function openPostgres(url: string): AgencyDatabase {
  const pools: Database[] = [];
  // The owner runs migrations and the seed one statement after another on one
  // session, so that session-level advisory locks hold.
  const owner = postgresPool(url, { max: 1 });
  pools.push(owner);
  return {
    owner,
    asRole: async (role) => {
      const served = postgresPool(url, { role: assertRoleName(role) });
      pools.push(served);
      return served;
    },
    close: async () => {
      await Promise.all(pools.splice(0).map((p) => p.close().catch(() => undefined)));
    },
  };
}

/**
 * The connection a subgraph serves from when it is given a login of its own
 * (`<AGENCY>_SERVICE_DATABASE_URL`): each session assumes the service role
 * from the start, whether or not the login inherits its privileges; `RESET
 * ROLE` returns to it, and only `SET ROLE NONE` leaves it, for the login
 * itself, not the owner.
 */
export function openServingDatabase(url: string, role: string): Database {
  return postgresPool(url, { role: assertRoleName(role) });
}

function postgresPool(url: string, options: { role?: string; max?: number }): Database {
  const pool = new Pool({ connectionString: url, max: options.max ?? 10, ...(options.role ? { options: `-c role=${options.role}` } : {}) });
  pool.on('error', () => undefined); // idle-client errors surface on the next query instead
  return {
    kind: 'postgres',
    query: async (sql, params, queryOptions) =>
      (await (queryOptions?.prepare ? pool.query({ name: statementName(sql), text: sql, values: params }) : pool.query(sql, params as unknown[])))
        .rows as never,
    exec: async (sql) => {
      await pool.query(sql);
    },
    ping: async () =>
      pool.query('SELECT 1').then(
        () => true,
        () => false,
      ),
    close: () => pool.end(),
  };
}

/**
 * A new embedded database's files as they are straight after initdb, taken
 * from the first in-memory database this process opens: each one after it
 * starts from them rather than running initdb again (a few hundred
 * milliseconds instead of two seconds or so, for tests and benches that open
 * many).
 */
let freshDataDir: Promise<Blob | null> | null = null;

async function createInMemoryPglite(): Promise<PGlite> {
  if (freshDataDir) {
    const files = await freshDataDir;
    if (files) return PGlite.create({ loadDataDir: files });
  }
  let taken!: (files: Blob | null) => void;
  freshDataDir = new Promise((resolve) => (taken = resolve));
  // Should either step fail, those waiting create their own, and the next to open tries again.
  const pg = await PGlite.create().catch((error: unknown) => {
    taken(null);
    throw error;
  });
  taken(await pg.dumpDataDir('none').catch(() => null));
  return pg;
}

async function openPglite(dataDir: string | undefined): Promise<AgencyDatabase> {
  if (dataDir) mkdirSync(dataDir, { recursive: true });
  const pg = dataDir ? await PGlite.create({ dataDir }) : await createInMemoryPglite();
  let closed = false;
  const db: Database = {
    kind: 'pglite',
    query: async (sql, params) => (await pg.query(sql, params)).rows as never,
    exec: async (sql) => {
      await pg.exec(sql);
    },
    ping: async () =>
      !closed &&
      pg.query('SELECT 1').then(
        () => true,
        () => false,
      ),
    close: async () => {
      if (!closed) {
        closed = true;
        await pg.close();
      }
    },
  };
  return {
    owner: db,
    // One embedded connection: from here on it runs as the service role for good.
    asRole: async (role) => {
      await pg.exec(`SET ROLE ${assertRoleName(role)}`);
      return db;
    },
    close: () => db.close(),
  };
}

/** A prepared statement's name, from its text: the same text is the same statement on every connection. */
const statementNames = new Map<string, string>();
function statementName(sql: string): string {
  let name = statementNames.get(sql);
  if (!name) statementNames.set(sql, (name = `cv_${createHash('sha256').update(sql).digest('hex').slice(0, 32)}`));
  return name;
}

function assertRoleName(role: string): string {
  if (!/^[a-z_][a-z0-9_]*$/.test(role)) throw new TypeError(`Invalid database role name: ${JSON.stringify(role)}`);
  return role;
}

/**
 * Runs `work` in one transaction, all of it or none. Only for the owner
 * connection, which is a single session (a seed interrupted halfway leaves
 * the system of record as it was, so "seed when empty" stays true).
 */
export async function inTransaction<T>(db: Database, work: () => Promise<T>): Promise<T> {
  await db.exec('BEGIN');
  try {
    const result = await work();
    await db.exec('COMMIT');
    return result;
  } catch (error) {
    await db.exec('ROLLBACK').catch(() => undefined);
    throw error;
  }
}
