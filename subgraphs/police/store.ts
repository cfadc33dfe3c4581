import {
  createListLoader,
  defineRecordMatching,
  MATCHING_SQL,
  readMatchingDeclaration,
  type CandidateRow,
  type Database,
  type Match,
  type MatchSettings,
} from '../../shared';

/** A person the force knows, found for a child. */
export interface PersonCandidate extends CandidateRow {
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
  line1: string | null;
  town: string | null;
  postcode: string | null;
}

/** An Encompass notification, with its incident and the child as the force recorded them. */
export interface NotificationRow {
  notification_id: string;
  person_ref: string;
  force_id: string;
  incident_ref: string;
  occurred_at: string;
  incident_type: string;
  place_line1: string;
  place_town: string;
  place_postcode: string;
  present: boolean;
  whereabouts: string | null;
  child_voice: string | null;
  given_name: string;
  family_name: string;
  date_of_birth: string | null;
  school_urn: string | null;
  school_name: string | null;
  la_code: string | null;
  sent_at: string;
  acknowledged_at: string | null;
  acknowledged_by_name: string | null;
  acknowledged_by_org: string | null;
  /** The NHS number a person confirmed for the child (the kit's cross-reference), when one did. */
  nhs_number: string | null;
}

const sector = '(service.match_sector(p.postcode) = k.sector)';
const inMonth = MATCHING_SQL.inMonth('p.date_of_birth');

/** The people the force knows in any of each child's blocks (shared/matching/blocking.ts), or confirmed as the child, in one statement for the batch. */
function findCandidates(db: Database, parameters: unknown[]): Promise<PersonCandidate[]> {
  const person = (on: string) => `SELECT k.key, k.nhs, p.person_ref AS reference FROM k JOIN records.person p ON ${on}`;
  return db.query<PersonCandidate>(
    `WITH ${MATCHING_SQL.keys}, c AS (
       ${person('p.date_of_birth = k.dob OR p.date_of_birth = k.dob_swapped')}
       UNION ${person('service.match_postcode(p.postcode) = k.postcode')}
       UNION ${person('(service.match_name_key(p.given_name) = k.gk AND service.match_name_key(p.family_name) = k.fk) OR (service.match_name_key(p.given_name) = k.fk AND service.match_name_key(p.family_name) = k.gk)')}
       UNION ${person(`service.match_name_key(p.given_name) = k.gk AND ${inMonth}`)}
       UNION ${person(`service.match_name_key(p.family_name) = k.fk AND ${inMonth}`)}
       UNION ${person(`service.match_name_key(p.given_name) = k.gk AND ${sector}`)}
       UNION ${person(`service.match_name_key(p.family_name) = k.fk AND ${sector}`)}
       UNION ${person(`${inMonth} AND ${sector}`)}
       UNION ${person('service.match_address_key(p.line1) = k.ak AND service.match_name_key(p.given_name) = k.gk')}
       UNION ${person('service.match_address_key(p.line1) = k.ak AND service.match_name_key(p.family_name) = k.fk')}
       UNION ${MATCHING_SQL.confirmed}
     )
     SELECT c.key, p.person_ref AS reference, p.force_id AS holder, ${MATCHING_SQL.decisionColumns},
            p.given_name, p.family_name, p.date_of_birth::text AS date_of_birth, p.line1, p.town, p.postcode
       FROM c
       JOIN records.person p ON p.person_ref = c.reference
       ${MATCHING_SQL.decisions('p.person_ref')}`,
    parameters,
    { prepare: true },
  );
}

/** The force's record matching: its declaration (matching.yaml) with its SQL. */
export const matching = defineRecordMatching<PersonCandidate>('police', readMatchingDeclaration(__dirname)!, {
  candidates: findCandidates,
  demographics: (row) => ({
    given: row.given_name,
    family: row.family_name,
    dateOfBirth: row.date_of_birth,
    addresses: row.postcode || row.line1 ? [{ lines: [row.line1], town: row.town, postcode: row.postcode }] : [],
  }),
  async holderOf(db, reference) {
    const [row] = await db.query<{ force_id: string }>('SELECT force_id FROM records.person WHERE person_ref = $1', [reference]);
    return row?.force_id ?? null;
  },
});

/** What the police show of a match. */
export type PoliceRecord = Match<PersonCandidate>;

const NOTIFICATION = `SELECT n.notification_id, n.person_ref, i.force_id, i.incident_ref, i.occurred_at::text AS occurred_at, i.incident_type,
         i.place_line1, i.place_town, i.place_postcode, ic.present, ic.whereabouts, ic.child_voice,
         p.given_name, p.family_name, p.date_of_birth::text AS date_of_birth,
         n.school_urn, n.school_name, n.la_code, n.sent_at::text AS sent_at,
         a.acknowledged_at::text AS acknowledged_at, a.acknowledged_by_name, a.acknowledged_by_org, x.nhs_number
    FROM records.encompass_notification n
    JOIN records.incident i ON i.incident_ref = n.incident_ref
    JOIN records.incident_child ic ON ic.incident_ref = n.incident_ref AND ic.person_ref = n.person_ref
    JOIN records.person p ON p.person_ref = n.person_ref
    LEFT JOIN service.encompass_acknowledgement a ON a.notification_id = n.notification_id
    LEFT JOIN service.nhs_cross_reference x ON x.reference = n.person_ref`;

/** The most notifications one school's list returns: a week of a large secondary school's. */
export const SCHOOL_LIST_MAX = 200;

export function createPoliceLoaders(db: Database, settings?: MatchSettings) {
  return {
    match: matching.createMatchLoader(db, settings),
    notifications: createListLoader<string, NotificationRow>(
      (refs) => db.query(`${NOTIFICATION} WHERE n.person_ref = ANY($1::text[]) ORDER BY n.sent_at DESC, n.notification_id`, [refs], { prepare: true }),
      (r) => r.person_ref,
    ),
    async forSchool(urn: string, since: string | null): Promise<NotificationRow[]> {
      return db.query<NotificationRow>(
        `${NOTIFICATION} WHERE n.school_urn = $1 AND ($2::timestamptz IS NULL AND a.notification_id IS NULL OR n.sent_at >= $2::timestamptz)
          ORDER BY n.sent_at DESC, n.notification_id LIMIT ${SCHOOL_LIST_MAX}`,
        [urn, since],
        { prepare: true },
      );
    },
    async notification(id: string): Promise<NotificationRow | null> {
      const [row] = await db.query<NotificationRow>(`${NOTIFICATION} WHERE n.notification_id = $1`, [id]);
      return row ?? null;
    },
  };
}
export type PoliceLoaders = ReturnType<typeof createPoliceLoaders>;
