import { insertRows, type SeedFunction } from '../../shared';
import { populationFor, type Child } from '../../synthetic';

/** Loads the synthetic population into the education store, replacing what was there. */
export const seedEducation: SeedFunction = async (db, options) => {
  const { asOf, children, directory } = populationFor(options);
  const phases = new Map(directory.schools.map((s) => [s.urn, s.phase]));
  const year = academicYear(asOf);
  await db.exec('TRUNCATE records.exclusion, records.attendance_summary, records.pupil, records.school_contact, records.school');
  await insertRows(
    db,
    'records.school',
    ['urn', 'name', 'phase'],
    directory.schools.map((s) => [s.urn, s.name, s.phase]),
  );
  await insertRows(
    db,
    'records.school_contact',
    ['urn', 'contact_role', 'name', 'phone'],
    directory.schools.map((s) => [s.urn, 'DSL', s.dsl.name, s.dsl.phone]),
  );
  const pupils: unknown[][] = [];
  const attendance: unknown[][] = [];
  const exclusions: unknown[][] = [];
  for (const child of children) {
    const ed = child.education;
    if (!ed) continue;
    pupils.push([ed.upn, child.nhsNumber, ed.urn, onRollFrom(child, phases.get(ed.urn), year.start), null, ed.sen, ed.freeSchoolMeals, child.restricted]);
    const sessions = sessionsFor(ed.attendanceRate, ed.possibleSessions);
    attendance.push([ed.upn, year.label, sessions.possible, sessions.attended, ed.unauthorisedSessions]);
    for (const e of ed.exclusions) exclusions.push([ed.upn, e.date, e.type, e.days]);
  }
  await insertRows(db, 'records.pupil', ['upn', 'nhs_number', 'urn', 'on_roll_from', 'left_on', 'sen_provision', 'fsm_eligible', 'restricted'], pupils);
  await insertRows(db, 'records.attendance_summary', ['upn', 'academic_year', 'possible_sessions', 'attended_sessions', 'unauthorised_sessions'], attendance);
  await insertRows(db, 'records.exclusion', ['upn', 'start_date', 'category', 'days'], exclusions);
};

/** The academic year a day falls in, as the census labels it ('2025/26'), and the 1 September it began. */
function academicYear(iso: string): { label: string; start: string } {
  const [y, m] = iso.split('-').map(Number) as [number, number];
  const first = m >= 9 ? y : y - 1;
  return { label: `${first}/${String((first + 1) % 100).padStart(2, '0')}`, start: `${first}-09-01` };
}

/** The September the child's cohort entered the school's phase, or this academic year's start if that is yet to come. */
function onRollFrom(child: Child, phase: string | undefined, yearStart: string): string {
  const [y, m] = child.dateOfBirth.split('-').map(Number) as [number, number];
  const reception = y + (m >= 9 ? 5 : 4);
  const entry = `${phase === 'secondary' ? reception + 7 : reception}-09-01`;
  return entry < yearStart ? entry : yearStart;
}

/**
 * Possible and attended sessions whose ratio rounds back to `rate` (to one
 * decimal), as the store computes it. A fixed 300 sessions can only express
 * rates in thirds of a percent (84.5% is not 254/300), so the possible sessions
 * grow by the few needed; any multiple of 1,000 expresses every rate exactly.
 */
function sessionsFor(rate: number, possible: number): { possible: number; attended: number } {
  const tenths = Math.round(rate * 10);
  for (let n = Math.max(1, possible); ; n++) {
    const attended = Math.round((tenths * n) / 1000);
    // round(1000 * attended / n) with halves rounded up, as PostgreSQL's numeric round does
    if (Math.floor((2000 * attended + n) / (2 * n)) === tenths) return { possible: n, attended };
  }
}
