import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Database } from './database';

/**
 * Applies, in name order, each `NNN_name.sql` file in `dir` not yet recorded in
 * `public.subgraph_migrations` (as `namespace:file` when a namespace is given, for the
 * subgraph kit's own migrations). An advisory lock keeps two replicas from
 * migrating the same database at once.
 */
export async function migrate(db: Database, dir: string, namespace?: string): Promise<string[]> {
  const files = readdirSync(dir)
    .filter((f) => /^\d+_.+\.sql$/.test(f))
    .sort();
  await db.exec(`CREATE TABLE IF NOT EXISTS public.subgraph_migrations (
    name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`);
  return withMigrationLock(db, async () => {
    const done = new Set((await db.query<{ name: string }>('SELECT name FROM public.subgraph_migrations')).map((r) => r.name));
    const applied: string[] = [];
    for (const file of files) {
      const name = namespace ? `${namespace}:${file}` : file;
      if (done.has(name)) continue;
      const sql = readFileSync(join(dir, file), 'utf8');
      try {
        await db.exec(`BEGIN;\n${sql}\n;INSERT INTO public.subgraph_migrations (name) VALUES ('${name}');\nCOMMIT;`);
      } catch (error) {
        await db.exec('ROLLBACK').catch(() => undefined);
        throw new Error(`Migration ${name} failed: ${(error as Error).message}`, { cause: error });
      }
      applied.push(name);
    }
    return applied;
  });
}

/** Runs `work` holding the lock migrations take on the database, so that replicas starting together take turns. */
export async function withMigrationLock<T>(db: Database, work: () => Promise<T>): Promise<T> {
  await db.query('SELECT pg_advisory_lock(7310001)');
  try {
    return await work();
  } finally {
    await db.query('SELECT pg_advisory_unlock(7310001)');
  }
}
