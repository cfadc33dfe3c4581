import { insertRows, type SeedFunction } from '../../shared';
import { localAuthority, populationFor } from '../../synthetic';

const categories = { CHILD_IN_NEED: 'CIN', CHILD_PROTECTION_PLAN: 'CPP', LOOKED_AFTER: 'LAC' } as const;

/** Loads the synthetic population into the social care case-management store, replacing what was there. */
export const seedSocialCare: SeedFunction = async (db, options) => {
  const { children, directory } = populationFor(options);
  await db.exec(`TRUNCATE records.placement, records.case_note, records.referral, records.allocation, records.episode, records.person,
    records.worker, records.team, records.local_authority RESTART IDENTITY`);
  await insertRows(db, 'records.local_authority', ['la_code', 'name', 'duty_phone'], [[localAuthority.code, localAuthority.name, localAuthority.dutyPhone]]);
  await insertRows(
    db,
    'records.team',
    ['team_id', 'la_code', 'name'],
    directory.teams.map((t) => [t.id, localAuthority.code, t.name]),
  );
  await insertRows(
    db,
    'records.worker',
    ['worker_id', 'login', 'name', 'phone', 'team_id', 'role'],
    directory.workers.map((w) => [w.id, w.login, w.name, w.phone, w.teamId, w.role]),
  );

  const people: unknown[][] = [];
  const episodes: unknown[][] = [];
  const allocations: unknown[][] = [];
  const referrals: unknown[][] = [];
  const notes: unknown[][] = [];
  const placements: unknown[][] = [];
  const areas = ['Northshire', 'Eastbrook', 'Millford', 'Ashby Vale', 'Kingsmere', 'Westholme', 'Fernley'];
  for (const child of children) {
    const care = child.socialCare;
    if (!care) continue;
    const personId = `P${String(people.length + 1).padStart(7, '0')}`;
    people.push([personId, child.nhsNumber, localAuthority.code, child.restricted]);
    if (care.status === 'LOOKED_AFTER') {
      const n = Number(child.nhsNumber.slice(-4));
      placements.push([personId, n % 5 === 0 ? "Residential children's home" : 'Foster care', care.since, areas[n % areas.length]]);
    }
    if (care.status !== 'NONE') episodes.push([`E${String(episodes.length + 1).padStart(7, '0')}`, personId, categories[care.status], care.since, null]);
    if (care.workerId) allocations.push([personId, care.workerId, care.since, null]);
    for (const r of care.referrals) referrals.push([personId, r.date, r.source, r.reason]);
    for (const n of care.caseNotes) notes.push([personId, n.date, n.authorId, n.text]);
  }
  await insertRows(db, 'records.person', ['person_id', 'nhs_number', 'la_code', 'restricted'], people);
  await insertRows(db, 'records.episode', ['episode_id', 'person_id', 'category', 'started_on', 'ended_on'], episodes);
  await insertRows(db, 'records.allocation', ['person_id', 'worker_id', 'started_on', 'ended_on'], allocations);
  await insertRows(db, 'records.referral', ['person_id', 'received_on', 'source', 'reason'], referrals);
  await insertRows(db, 'records.case_note', ['person_id', 'written_on', 'author_worker_id', 'body'], notes);
  await insertRows(db, 'records.placement', ['person_id', 'placement_type', 'started_on', 'area'], placements);
};
