import type { AuditEntry, Database } from '../../shared';

/**
 * After each response: every disclosure of a child's social care status to
 * someone outside the child's local authority becomes a notification for that
 * authority, in the same step as the audit (if it cannot be written, nothing
 * is disclosed). One statement for the whole response.
 */
export async function notifyLocalAuthority(db: Database, entries: readonly AuditEntry[]): Promise<void> {
  const viewed = entries.flatMap((e) => e.children.filter((c) => c.disclosed.includes('socialCare.status')).map((c) => ({ ...e, nhsNumber: c.nhsNumber })));
  if (viewed.length === 0) return;
  await db.query(
    `INSERT INTO service.access_notification (la_code, nhs_number, trace_id, caller_sub, caller_name, caller_org, caller_roles, purpose, break_glass)
     SELECT p.la_code, v.nhs_number, v.trace_id, v.caller_sub, v.caller_name, v.caller_org, v.caller_roles, v.purpose, v.break_glass
       FROM jsonb_to_recordset($1::jsonb) AS v(nhs_number text, trace_id text, caller_sub text, caller_name text, caller_org text, caller_org_type text, caller_roles text, purpose text, break_glass text)
       JOIN records.person p ON p.nhs_number = v.nhs_number
      WHERE v.caller_org_type <> 'local-authority' OR v.caller_org <> p.la_code`,
    [JSON.stringify(viewed.map((e) => ({
      nhs_number: e.nhsNumber, trace_id: e.traceId, caller_sub: e.caller.sub, caller_name: e.caller.name, caller_org: e.caller.org,
      caller_org_type: e.caller.orgType, caller_roles: e.caller.roles.join(','), purpose: e.purpose, break_glass: e.breakGlass,
    })))],
  );
}

/** The notifications for the caller's own local authority, newest first. */
export async function notificationsFor(db: Database, laCode: string, since: string | null) {
  const rows = await db.query<{ nhs_number: string; viewed_at: string; caller_name: string; caller_org: string; caller_roles: string; purpose: string; break_glass: string | null }>(
    `SELECT nhs_number, viewed_at::text, caller_name, caller_org, caller_roles, purpose, break_glass FROM service.access_notification
      WHERE la_code = $1 AND ($2::timestamptz IS NULL OR viewed_at >= $2::timestamptz) ORDER BY viewed_at DESC, id DESC LIMIT 500`,
    [laCode, since],
  );
  return rows.map((r) => ({
    nhsNumber: r.nhs_number, viewedAt: new Date(r.viewed_at).toISOString(), viewedBy: r.caller_name, organisation: r.caller_org,
    roles: r.caller_roles.split(','), purpose: r.purpose, breakGlass: r.break_glass,
  }));
}
