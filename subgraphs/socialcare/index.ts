import { defineAgency } from '../../shared';
import type { AgencyPlugin } from '../../registry';
import { seedSocialCare } from './seed';
import { recordFacts } from './record-facts';
import { notifyLocalAuthority } from './notifications';
import { resolvers } from './resolvers';
import { createSocialCareLoaders, type SocialCareLoaders } from './store';

/** The socialcare subgraph: status, allocated worker, referrals and case notes, from the local authority's case-management system. */
export const socialcare = defineAgency<SocialCareLoaders>(__dirname, {
  name: 'socialcare',
  resolvers,
  createLoaders: createSocialCareLoaders,
  primaryTable: 'records.person',
  recordFacts,
  // A read of a child's status from outside its local authority is notified to that authority.
  onDisclosed: notifyLocalAuthority,
});
export { seedSocialCare };

/** What the registry loads: the subgraph and its synthetic seed. */
export const plugin: AgencyPlugin = { definition: socialcare, seed: seedSocialCare };
