import { createListLoader, createRowLoader, type Database } from '../../shared';

/** A child's health record as the subgraph serves it: the `ChildHealth` type, keyed by NHS number. */
export interface HealthRecord {
  nhsNumber: string;
  registeredGp: { practiceName: string | null; odsCode: string; registeredSince: string } | null;
  healthVisitor: { name: string; phone: string } | null;
  /** Not in the schema: the school the child attends, as the child health record shows (its URN); null when none. */
  schoolUrn: string | null;
  /** Not in the schema: the organisations (ODS codes, school URNs) consent to share the child's conditions is recorded for. */
  consentedOrgs: string[];
}

export interface Immunisation {
  nhsNumber: string;
  vaccine: string;
  date: string;
}
export interface EmergencyAttendance {
  nhsNumber: string;
  date: string;
  hospital: string;
  reason: string;
}
export interface Condition {
  nhsNumber: string;
  name: string;
  since: string;
}

interface RecordRow {
  nhs_number: string;
  practice_name: string | null;
  ods_code: string | null;
  registered_on: string | null;
  visitor_name: string | null;
  visitor_phone: string | null;
  school_urn: string | null;
  consented_orgs: string[] | null;
}

// A child the GP system knows has a current registration, a health visitor, or both.
// The school the record shows and the organisations consent to share conditions is
// recorded for come in the same statement: the record's policy facts, never served.
const selectRecords = `
  WITH known AS (
    SELECT nhs_number FROM records.registration WHERE nhs_number = ANY($1::text[]) AND deregistered_on IS NULL
    UNION
    SELECT nhs_number FROM records.health_visitor_caseload WHERE nhs_number = ANY($1::text[])
  )
  SELECT k.nhs_number, p.name AS practice_name, r.ods_code, r.registered_on::text AS registered_on,
         hv.name AS visitor_name, hv.phone AS visitor_phone, cs.school_urn,
         ARRAY(SELECT sc.recipient_org FROM records.sharing_consent sc
                WHERE sc.nhs_number = k.nhs_number AND sc.scope = 'conditions' AND sc.recipient_org IS NOT NULL) AS consented_orgs
    FROM known k
    LEFT JOIN records.registration r ON r.nhs_number = k.nhs_number AND r.deregistered_on IS NULL
    LEFT JOIN records.practice p ON p.ods_code = r.ods_code
    LEFT JOIN records.health_visitor_caseload c ON c.nhs_number = k.nhs_number
    LEFT JOIN records.health_visitor hv ON hv.id = c.visitor_id
    LEFT JOIN records.child_school cs ON cs.nhs_number = k.nhs_number`;

const selectImmunisations = `
  SELECT nhs_number AS "nhsNumber", vaccine, given_on::text AS date
    FROM records.immunisation WHERE nhs_number = ANY($1::text[])
   ORDER BY given_on, vaccine`;

const selectEmergencyAttendances = `
  SELECT nhs_number AS "nhsNumber", attended_on::text AS date, hospital, presenting_complaint AS reason
    FROM records.ed_attendance WHERE nhs_number = ANY($1::text[])
   ORDER BY attended_on DESC`;

const selectConditions = `
  SELECT nhs_number AS "nhsNumber", description AS name, onset_date::text AS since
    FROM records.problem WHERE nhs_number = ANY($1::text[])
   ORDER BY onset_date, description`;

function toHealthRecord(row: RecordRow): HealthRecord {
  return {
    nhsNumber: row.nhs_number,
    registeredGp: row.ods_code === null ? null : { practiceName: row.practice_name, odsCode: row.ods_code, registeredSince: row.registered_on ?? '' },
    healthVisitor: row.visitor_name === null ? null : { name: row.visitor_name, phone: row.visitor_phone ?? '' },
    schoolUrn: row.school_urn,
    consentedOrgs: row.consented_orgs ?? [],
  };
}

const byNhsNumber = (row: { nhsNumber: string }) => row.nhsNumber;

export function createHealthLoaders(db: Database) {
  return {
    record: createRowLoader<string, HealthRecord>(
      async (nhsNumbers) => (await db.query<RecordRow>(selectRecords, [nhsNumbers], { prepare: true })).map(toHealthRecord),
      byNhsNumber,
    ),
    immunisations: createListLoader<string, Immunisation>(
      (nhsNumbers) => db.query<Immunisation>(selectImmunisations, [nhsNumbers], { prepare: true }),
      byNhsNumber,
    ),
    emergencyAttendances: createListLoader<string, EmergencyAttendance>(
      (nhsNumbers) => db.query<EmergencyAttendance>(selectEmergencyAttendances, [nhsNumbers], { prepare: true }),
      byNhsNumber,
    ),
    conditions: createListLoader<string, Condition>((nhsNumbers) => db.query<Condition>(selectConditions, [nhsNumbers], { prepare: true }), byNhsNumber),
  };
}
export type HealthLoaders = ReturnType<typeof createHealthLoaders>;
