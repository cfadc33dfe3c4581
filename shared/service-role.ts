import type { Database } from './database';

/**
 * Creates the role a subgraph serves as: it may only read the agency's system of
 * record (schema `records`) and owns the subgraph's own schema (`service`), where
 * what the subgraph itself writes lives. Idempotent.
 */
export async function ensureServiceRole(db: Database, role: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(role)) throw new TypeError(`Invalid database role name: ${JSON.stringify(role)}`);
  await db.exec(`
    DO $$ BEGIN
      IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN CREATE ROLE ${role} NOLOGIN; END IF;
    EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
    END $$;
    CREATE SCHEMA IF NOT EXISTS service;
    GRANT USAGE ON SCHEMA records TO ${role};
    GRANT SELECT ON ALL TABLES IN SCHEMA records TO ${role};
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON ALL TABLES IN SCHEMA records FROM ${role};
    GRANT USAGE, CREATE ON SCHEMA service TO ${role};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA service TO ${role};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA service TO ${role};
    -- The audit log is append-only for the service role, and only through service.append_audit (which runs
    -- with its owner's rights): the role may read the log, never write a row or move the chain's head itself.
    DO $$ BEGIN
      IF to_regclass('service.audit_log') IS NOT NULL THEN
        EXECUTE 'REVOKE INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON service.audit_log FROM ${role}';
      END IF;
      IF to_regclass('service.audit_head') IS NOT NULL THEN
        EXECUTE 'REVOKE INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON service.audit_head FROM ${role}';
      END IF;
      -- What has been migrated, so that a subgraph given only a serving login can check it before serving.
      IF to_regclass('public.subgraph_migrations') IS NOT NULL THEN
        EXECUTE 'GRANT SELECT ON public.subgraph_migrations TO ${role}';
      END IF;
    END $$;
  `);
}
