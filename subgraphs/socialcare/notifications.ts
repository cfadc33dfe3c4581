import type { AuditEntry, Database } from '../../shared';
import type { SocialCareLoaders } from './store';

/**
 * After each response: every disclosure of a child's social care status to
 * someone outside the child's local authority becomes a notification for that
 * authority, in the same step as the audit (if it cannot be written, nothing
 * is disclosed). The child's authority comes from the record the response was
 * built from (already loaded for this request), so a response read only
 * within the authority costs no statement; one statement otherwise.
 */
export async function notifyLocalAuthority(db: Database, entries: readonly AuditEntry[], context: { loaders: SocialCareLoaders }): Promise<void> {
  const viewed: Record<string, string | null>[] = [];
  for (const e of entries) {
    const children = e.children.filter((c) => c.disclosed.includes('socialCare.status'));
    if (children.length === 0) continue;
    // Social care holds every child's NHS number: each of its disclosures names one.
    const records = await context.loaders.record.loadMany(children.map((c) => c.nhsNumber!));
    records.forEach((record, i) => {
      // A record that cannot be read now was read for the response: fail closed, so nothing is disclosed unnotified.
      if (record instanceof Error) throw record;
      if (!record || (e.caller.orgType === 'local-authority' && e.caller.org === record.laCode)) return;
      viewed.push({
        la_code: record.laCode,
        nhs_number: children[i]!.nhsNumber,
        trace_id: e.traceId,
        caller_sub: e.caller.sub,
        caller_name: e.caller.name,
        caller_org: e.caller.org,
        caller_roles: e.caller.roles.join(','),
        purpose: e.purpose,
        break_glass: e.breakGlass,
      });
    });
  }
  if (viewed.length === 0) return;
  await db.query(
    `INSERT INTO service.access_notification (la_code, nhs_number, trace_id, caller_sub, caller_name, caller_org, caller_roles, purpose, break_glass)
     SELECT la_code, nhs_number, trace_id, caller_sub, caller_name, caller_org, caller_roles, purpose, break_glass
       FROM jsonb_to_recordset($1::jsonb) AS v(la_code text, nhs_number text, trace_id text, caller_sub text, caller_name text, caller_org text, caller_roles text, purpose text, break_glass text)`,
    [JSON.stringify(viewed)],
  );
}

/** The notifications for the caller's own local authority, newest first. */
export async function notificationsFor(db: Database, laCode: string, since: string | null) {
  const rows = await db.query<{
    nhs_number: string;
    viewed_at: string;
    caller_name: string;
    caller_org: string;
    caller_roles: string;
    purpose: string;
    break_glass: string | null;
  }>(
    `SELECT nhs_number, viewed_at::text, caller_name, caller_org, caller_roles, purpose, break_glass FROM service.access_notification
      WHERE la_code = $1 AND ($2::timestamptz IS NULL OR viewed_at >= $2::timestamptz) ORDER BY viewed_at DESC, id DESC LIMIT 500`,
    [laCode, since],
  );
  return rows.map((r) => ({
    nhsNumber: r.nhs_number,
    viewedAt: new Date(r.viewed_at).toISOString(),
    viewedBy: r.caller_name,
    organisation: r.caller_org,
    roles: r.caller_roles.split(','),
    purpose: r.purpose,
    breakGlass: r.break_glass,
  }));
}
