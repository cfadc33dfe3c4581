-- service.audit_hash calls to_char, which is STABLE, so PostgreSQL would not inline a
-- function declared IMMUTABLE around it: every append (and every row verify reads) ran
-- it as a separate SQL function, planned again in each transaction. Declared STABLE,
-- it is inlined into append_audit's expression and into verify's query. The hash it
-- computes is unchanged.
ALTER FUNCTION service.audit_hash(text, timestamptz, text, text[], text) STABLE;
