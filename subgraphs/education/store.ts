import { createListLoader, createRowLoader, type Database } from '../../shared';

/** A child's current school place as the subgraph serves it (`ChildEducation`). */
export interface EducationRecord {
  /** Not in the schema: which child this is, so that exclusions can be loaded for it. */
  nhsNumber: string;
  /** Not in the schema: the URN of the school the pupil is on roll at, for the childs-school relationship. */
  urn: string;
  /** Not in the schema: the school has been told the pupil's location must be withheld. */
  restricted: boolean;
  school: { name: string; urn: string; designatedSafeguardingLead: { name: string; phone: string } | null };
  attendanceRate: number | null;
  unauthorisedAbsences: number | null;
  senSupport: boolean;
  ehcp: boolean;
  freeSchoolMeals: boolean;
}

/** One exclusion as the subgraph serves it (`Exclusion`). */
export interface ExclusionRecord {
  /** Not in the schema: the child the exclusion belongs to. */
  nhsNumber: string;
  date: string;
  type: 'SUSPENSION' | 'PERMANENT';
  days: number;
}

interface PupilRow {
  nhs_number: string;
  sen_provision: string;
  fsm_eligible: boolean;
  restricted: boolean;
  urn: string;
  school_name: string;
  dsl_name: string | null;
  dsl_phone: string | null;
  attendance_rate: number | null;
  unauthorised_sessions: number | null;
}

interface ExclusionRow {
  nhs_number: string;
  start_date: string;
  category: ExclusionRecord['type'];
  days: number;
}

// The pupil's current roll entry (the latest, if dual-registered), its school's
// designated safeguarding lead and its latest academic year of attendance: the
// year in progress, as a management information system holds it.
const selectCurrentPupils = `
  SELECT DISTINCT ON (p.nhs_number)
         p.nhs_number, p.sen_provision, p.fsm_eligible, p.restricted, s.urn, s.name AS school_name,
         dsl.name AS dsl_name, dsl.phone AS dsl_phone,
         CASE WHEN a.possible_sessions > 0
              THEN round(100.0 * a.attended_sessions / a.possible_sessions, 1)::float8 END AS attendance_rate,
         a.unauthorised_sessions::int AS unauthorised_sessions
    FROM records.pupil p
    JOIN records.school s ON s.urn = p.urn
    LEFT JOIN LATERAL (
      SELECT c.name, c.phone FROM records.school_contact c
       WHERE c.urn = p.urn AND c.contact_role = 'DSL' ORDER BY c.name LIMIT 1) dsl ON true
    LEFT JOIN LATERAL (
      SELECT t.possible_sessions, t.attended_sessions, t.unauthorised_sessions FROM records.attendance_summary t
       WHERE t.upn = p.upn ORDER BY t.academic_year DESC LIMIT 1) a ON true
   WHERE p.nhs_number = ANY($1::text[]) AND p.left_on IS NULL
   ORDER BY p.nhs_number, p.on_roll_from DESC, p.upn`;

// Every exclusion on the child's record, from whichever school, newest first.
const selectExclusions = `
  SELECT p.nhs_number, e.start_date::text AS start_date, e.category, e.days::int AS days
    FROM records.exclusion e
    JOIN records.pupil p ON p.upn = e.upn
   WHERE p.nhs_number = ANY($1::text[])
   ORDER BY e.start_date DESC, e.exclusion_id DESC`;

function toEducation(row: PupilRow): EducationRecord {
  return {
    nhsNumber: row.nhs_number,
    urn: row.urn,
    restricted: row.restricted,
    school: {
      name: row.school_name,
      urn: row.urn,
      designatedSafeguardingLead: row.dsl_name === null ? null : { name: row.dsl_name, phone: row.dsl_phone ?? '' },
    },
    attendanceRate: row.attendance_rate,
    unauthorisedAbsences: row.unauthorised_sessions,
    senSupport: row.sen_provision === 'K',
    ehcp: row.sen_provision === 'E',
    freeSchoolMeals: row.fsm_eligible,
  };
}

function toExclusion(row: ExclusionRow): ExclusionRecord {
  return { nhsNumber: row.nhs_number, date: row.start_date, type: row.category, days: row.days };
}

export function createEducationLoaders(db: Database) {
  return {
    /** The child's current school place; null when the child is on no school roll. */
    record: createRowLoader<string, EducationRecord>(
      async (nhsNumbers) => (await db.query<PupilRow>(selectCurrentPupils, [nhsNumbers], { prepare: true })).map(toEducation),
      (record) => record.nhsNumber,
    ),
    /** The child's exclusions, newest first. */
    exclusions: createListLoader<string, ExclusionRecord>(
      async (nhsNumbers) => (await db.query<ExclusionRow>(selectExclusions, [nhsNumbers], { prepare: true })).map(toExclusion),
      (exclusion) => exclusion.nhsNumber,
    ),
  };
}
export type EducationLoaders = ReturnType<typeof createEducationLoaders>;
