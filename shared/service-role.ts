import type { Database } from './database';

/**
 * Creates the role a subgraph serves as: it may only read the agency's system of
 * record (schema `records`), and writes rows in the subgraph's own tables (schema
 * `service`, made by the owner's migrations), the audit log only through
 * `service.append_audit`. It creates nothing. Idempotent.
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
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON ALL TABLES IN SCHEMA records FROM ${role};
    -- The subgraph's own tables are the owner's, made by migrations: the role writes rows in them, never creates
    -- an object (a trigger's function, a table a later migration would find already there and owned by it).
    GRANT USAGE ON SCHEMA service TO ${role};
    REVOKE CREATE ON SCHEMA service FROM ${role};
    REVOKE CREATE ON SCHEMA records FROM ${role};
    GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA service TO ${role};
    GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA service TO ${role};
    -- The audit log is append-only for the service role, and only through service.append_audit (which runs
    -- with its owner's rights): the role may read the log, never write a row or move the chain's head itself.
    DO $$ DECLARE v record; BEGIN
      IF to_regclass('service.audit_log') IS NOT NULL THEN
        EXECUTE 'REVOKE INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON service.audit_log FROM ${role}';
      END IF;
      IF to_regclass('service.audit_head') IS NOT NULL THEN
        EXECUTE 'REVOKE INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON service.audit_head FROM ${role}';
      END IF;
      -- No view is written through: a view runs with its owner's rights, so one over the log would be a way round the revokes above.
      FOR v IN SELECT format('%I.%I', schemaname, viewname) AS name FROM pg_views WHERE schemaname IN ('service', 'records') LOOP
        EXECUTE 'REVOKE INSERT, UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON ' || v.name || ' FROM ${role}';
      END LOOP;
      -- The chain is extended by the service role alone (its owner aside), not by whoever can connect.
      IF to_regprocedure('service.append_audit(text[], text[], text[])') IS NOT NULL THEN
        REVOKE EXECUTE ON FUNCTION service.append_audit(text[], text[], text[]) FROM PUBLIC;
        EXECUTE 'GRANT EXECUTE ON FUNCTION service.append_audit(text[], text[], text[]) TO ${role}';
      END IF;
      -- What has been migrated, so that a subgraph given only a serving login can check it before serving.
      IF to_regclass('public.subgraph_migrations') IS NOT NULL THEN
        EXECUTE 'GRANT SELECT ON public.subgraph_migrations TO ${role}';
      END IF;
    END $$;
  `);
}
