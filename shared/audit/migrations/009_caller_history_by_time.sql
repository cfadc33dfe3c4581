-- A caller's access history is read a page at a time in the timeline's order (time, then
-- row), within a period: the index on (caller_sub, at, seq) finds a page's rows in that
-- order without sorting every row the caller ever caused. It replaces (caller_sub, seq),
-- which nothing reads any more.
CREATE INDEX audit_log_caller_at ON service.audit_log (caller_sub, at, seq);
DROP INDEX service.audit_log_caller;
