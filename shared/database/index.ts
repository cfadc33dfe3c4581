// Database security: the one way to an agency's database (PostgreSQL or PGlite), migrations, the service role a
// subgraph serves as and its own serving login. Imports no other room.
export { inTransaction, openAgencyDatabase, openServingDatabase, type AgencyDatabase, type Database } from './database';
export { migrate, withMigrationLock } from './migrate';
export { auditWriterRole, ensureServiceRole } from './service-role';
export {
  checkAppendDefiner,
  checkServingLogin,
  ensureServingLogin,
  loginOf,
  ownerLoginVariable,
  pendingMigrations,
  scramVerifier,
  servingLoginVariable,
} from './serving-login';
