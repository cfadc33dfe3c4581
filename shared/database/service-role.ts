import type { Database } from './database';

/**
 * The role `service.append_audit` runs as (it is SECURITY DEFINER): it may add a row to the
 * audit log and move the chain's head, nothing else. Owned by whoever migrates (in the reference
 * deployment, the server's superuser), the function would run with all of that login's rights,
 * so that any way found later to make it run something else would be a way to everything.
 */
export const auditWriterRole = (serviceRole: string): string => `${serviceRole}_audit_writer`;

/**
 * Creates the role a subgraph serves as: it may only read the agency's system of
 * record (schema `records`), and writes rows in the subgraph's own tables (schema
 * `service`, made by the owner's migrations), the audit log only through
 * `service.append_audit`. It creates nothing. The function is given to the
 * audit writer (auditWriterRole), which may do nothing else. Idempotent.
 */
export async function ensureServiceRole(db: Database, role: string): Promise<void> {
  if (!/^[a-z_][a-z0-9_]*$/.test(role) || auditWriterRole(role).length > 63) throw new TypeError(`Invalid database role name: ${JSON.stringify(role)}`);
  const writer = auditWriterRole(role);
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
    DO $$ DECLARE v record; dep record; BEGIN
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
      -- The chain is extended by the service role alone (its owner aside), not by whoever can connect. The function
      -- runs as the audit writer, which may insert rows in the log and move its head, and do nothing else: not read
      -- the records, not change or delete a row, not create anything, not log in.
      IF to_regprocedure('service.append_audit(text[], text[], text[])') IS NOT NULL THEN
        IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${writer}') THEN
          BEGIN
            CREATE ROLE ${writer} NOLOGIN NOINHERIT;
          EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
          END;
        END IF;
        -- A migrating login that is not a superuser keeps the owner's hold on the function through the writer
        -- (to replace it in a later migration), as a superuser does of itself; from PostgreSQL 16 a membership
        -- inherits only if granted so.
        IF NOT (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) AND NOT pg_has_role(current_user, '${writer}', 'USAGE') THEN
          BEGIN
            IF current_setting('server_version_num')::int >= 160000 THEN
              EXECUTE format('GRANT ${writer} TO %I WITH INHERIT TRUE', current_user);
            ELSE
              EXECUTE format('GRANT ${writer} TO %I', current_user);
            END IF;
          EXCEPTION WHEN insufficient_privilege THEN NULL;
          END;
          IF NOT pg_has_role(current_user, '${writer}', 'USAGE') THEN
            RAISE EXCEPTION 'the migrating login % must have the rights of ${writer}, which service.append_audit runs as: an administrator can grant them (GRANT ${writer} TO %, WITH INHERIT TRUE from PostgreSQL 16)', current_user, quote_ident(current_user);
          END IF;
        END IF;
        -- The writer's rights are made again each time, exactly: whatever it was given here besides (a grant on the
        -- records, the right to create, a role to become) is taken back first.
        FOR dep IN SELECT s.classid, s.objid, c.relkind, n.nspname FROM pg_shdepend s
                     LEFT JOIN pg_class c ON s.classid = 'pg_class'::regclass AND c.oid = s.objid
                     LEFT JOIN pg_namespace n ON s.classid = 'pg_namespace'::regclass AND n.oid = s.objid
                    WHERE s.refobjid = '${writer}'::regrole AND s.deptype = 'a'
                      AND s.dbid = (SELECT oid FROM pg_database WHERE datname = current_database()) LOOP
          IF dep.relkind = 'S' THEN
            EXECUTE format('REVOKE ALL ON SEQUENCE %s FROM ${writer}', dep.objid::regclass);
          ELSIF dep.relkind IS NOT NULL THEN
            EXECUTE format('REVOKE ALL ON TABLE %s FROM ${writer}', dep.objid::regclass);
          ELSIF dep.nspname IS NOT NULL THEN
            EXECUTE format('REVOKE ALL ON SCHEMA %I FROM ${writer}', dep.nspname);
          ELSIF dep.classid = 'pg_proc'::regclass THEN
            EXECUTE format('REVOKE ALL ON FUNCTION %s FROM ${writer}', dep.objid::regprocedure);
          END IF;
        END LOOP;
        EXECUTE format('REVOKE ALL ON DATABASE %I FROM ${writer}', current_database());
        FOR dep IN SELECT m.roleid::regrole::text AS name FROM pg_auth_members m WHERE m.member = '${writer}'::regrole LOOP
          EXECUTE format('REVOKE %s FROM ${writer}', dep.name);
        END LOOP;
        GRANT USAGE ON SCHEMA service TO ${writer};
        GRANT INSERT ON service.audit_log TO ${writer};
        GRANT SELECT, UPDATE ON service.audit_head TO ${writer};
        IF (SELECT proowner FROM pg_proc WHERE oid = 'service.append_audit(text[], text[], text[])'::regprocedure)
           IS DISTINCT FROM '${writer}'::regrole THEN
          -- A function's new owner must be allowed to create in its schema: for this step only.
          GRANT CREATE ON SCHEMA service TO ${writer};
          ALTER FUNCTION service.append_audit(text[], text[], text[]) OWNER TO ${writer};
          REVOKE CREATE ON SCHEMA service FROM ${writer};
        END IF;
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
