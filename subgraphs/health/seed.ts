import { insertRows, type SeedFunction } from '../../shared';
import { populationFor } from '../../synthetic';

/** Loads the synthetic population into the GP clinical system, replacing what was there. */
export const seedHealth: SeedFunction = async (db, options) => {
  const { asOf, children, directory } = populationFor(options);
  await db.exec(`TRUNCATE records.child_school, records.sharing_consent, records.problem, records.ed_attendance, records.immunisation,
    records.health_visitor_caseload, records.health_visitor, records.registration, records.practice`);
  await insertRows(
    db,
    'records.practice',
    ['ods_code', 'name', 'phone'],
    directory.practices.map((p) => [p.odsCode, p.name, p.phone]),
  );
  await insertRows(
    db,
    'records.health_visitor',
    ['id', 'name', 'phone'],
    directory.healthVisitors.map((v) => [v.id, v.name, v.phone]),
  );

  const registrations: unknown[][] = [];
  const caseload: unknown[][] = [];
  const immunisations: unknown[][] = [];
  const attendances: unknown[][] = [];
  const problems: unknown[][] = [];
  const consents: unknown[][] = [];
  const schools: unknown[][] = [];
  for (const { nhsNumber, health, education } of children) {
    const schoolUrn = education?.urn ?? null;
    if (schoolUrn) schools.push([nhsNumber, schoolUrn]);
    if (health.odsCode) registrations.push([nhsNumber, health.odsCode, health.registeredOn, null]);
    if (health.healthVisitorId) caseload.push([nhsNumber, health.healthVisitorId]);
    for (const i of health.immunisations) immunisations.push([nhsNumber, i.vaccine, i.date]);
    for (const a of health.emergencyAttendances) attendances.push([nhsNumber, a.date, a.hospital, a.reason]);
    for (const c of health.conditions) problems.push([nhsNumber, c.name, c.since]);
    // Consent to share with the child's school is recorded for that school.
    if (health.consentToShareWithSchool) consents.push([nhsNumber, 'school', schoolUrn, 'conditions', asOf]);
  }
  await insertRows(db, 'records.registration', ['nhs_number', 'ods_code', 'registered_on', 'deregistered_on'], registrations);
  await insertRows(db, 'records.health_visitor_caseload', ['nhs_number', 'visitor_id'], caseload);
  await insertRows(db, 'records.immunisation', ['nhs_number', 'vaccine', 'given_on'], immunisations);
  await insertRows(db, 'records.ed_attendance', ['nhs_number', 'attended_on', 'hospital', 'presenting_complaint'], attendances);
  await insertRows(db, 'records.problem', ['nhs_number', 'description', 'onset_date'], problems);
  await insertRows(db, 'records.child_school', ['nhs_number', 'school_urn'], schools);
  await insertRows(db, 'records.sharing_consent', ['nhs_number', 'recipient_type', 'recipient_org', 'scope', 'recorded_on'], consents);
};
