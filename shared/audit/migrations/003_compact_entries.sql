-- Entries are kept compact (see storedEntry in shared/audit/audit-log.ts): each distinct combination
-- of fields disclosed and denied once, in "shapes", and each child as [nhsNumber,
-- localReference, shape]. Readers still see each child whole: the view expands them.
-- Entries written before are returned as they were.
CREATE OR REPLACE VIEW service.audit_entry AS
  SELECT l.seq, l.at, l.caller_sub, l.nhs_numbers,
         CASE WHEN e.doc ? 'shapes' THEN
           (e.doc - 'shapes') || jsonb_build_object('children', (
             SELECT coalesce(jsonb_agg(jsonb_build_object(
                      'nhsNumber', c.child->>0,
                      'localReference', c.child->1,
                      'disclosed', e.doc->'shapes'->((c.child->>2)::int)->'disclosed',
                      'denied', e.doc->'shapes'->((c.child->>2)::int)->'denied') ORDER BY c.ord), '[]'::jsonb)
               FROM jsonb_array_elements(e.doc->'children') WITH ORDINALITY AS c(child, ord)))
         ELSE e.doc END
         || jsonb_build_object('at', to_char(l.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) AS entry,
         l.prev_hash, l.hash
    FROM service.audit_log l, LATERAL (SELECT l.entry::jsonb AS doc) e;
