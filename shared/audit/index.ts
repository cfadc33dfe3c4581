// The audit: what a response discloses, each agency's hash chain of it (append, group commit, purge, verify), its
// pages, and the access log every agency serves from it. Imports common, database and policy.
export { createAuditCollector, createDisclosureReader, type AuditCollector, type AuditedContext, type AuditEntry } from './disclosures';
export { appendAudit, AUDIT_HEAD_EXTENSION, AUDIT_MIGRATIONS_DIR, createAuditWriter, migrateAudit, purgeAudit, type AuditHead } from './audit-log';
export { checkWitnessedHeads, verifyAuditChain, type WitnessedHead } from './audit-chain';
export { accessEntriesPage, auditRowsForChild, compareCursors, DEFAULT_PERIOD_DAYS, type AccessCursor } from './audit-pages';
export { accessLogPage, accessLogPeers, accessLogResolvers, accessLogSdl } from './access-log';
