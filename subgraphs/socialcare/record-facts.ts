import type { Authority, RecordFacts, RecordFactsOf } from '../../shared';
import type { SocialCareRecord } from './store';

/**
 * What a child's social care record says about the caller, for the record
 * rules (case notes, placement): whether the caller is the allocated worker,
 * or the team manager of that worker's team in the same local authority.
 */
export function socialCareRecordFacts(record: SocialCareRecord, authority: Authority): RecordFacts {
  const { caller } = authority;
  const relationships = new Set<string>();
  if (record.allocatedWorkerLogin !== null && caller.sub === record.allocatedWorkerLogin) relationships.add('allocated-worker');
  if (caller.roles.includes('team-manager') && record.allocatedTeamName !== null && caller.team === record.allocatedTeamName && caller.org === record.laCode)
    relationships.add('team-of-allocated-worker');
  return { relationships, consented: false, restricted: record.restricted };
}

export const recordFacts: Record<string, RecordFactsOf> = {
  ChildSocialCare: socialCareRecordFacts,
};
