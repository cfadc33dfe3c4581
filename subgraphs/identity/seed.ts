import { insertRows, type SeedFunction } from '../../shared';
import { populationFor } from '../../synthetic';

/** Loads the synthetic population into the demographics store, replacing what was there. */
export const seedIdentity: SeedFunction = async (db, options) => {
  const { children, households } = populationFor(options);
  const homes = new Map(households.map((h) => [h.id, h]));
  await db.exec('TRUNCATE records.patient_address, records.patient');
  await insertRows(
    db,
    'records.patient',
    ['nhs_number', 'given_name', 'family_name', 'date_of_birth', 'gender_code', 'nhs_number_status', 'confidentiality'],
    children.map((c) => [c.nhsNumber, c.given, c.family, c.dateOfBirth, c.gender === 'male' ? 1 : 2, c.traceStatus, c.restricted ? 'S' : null]),
  );
  const addresses: unknown[][] = [];
  for (const child of children) {
    const home = homes.get(child.householdId)!;
    addresses.push([
      child.nhsNumber,
      home.previousAddress.line1,
      home.previousAddress.town,
      home.previousAddress.postcode,
      child.dateOfBirth,
      home.tenancy?.startDate ?? child.dateOfBirth,
    ]);
    addresses.push([child.nhsNumber, home.address.line1, home.address.town, home.address.postcode, home.tenancy?.startDate ?? child.dateOfBirth, null]);
  }
  await insertRows(db, 'records.patient_address', ['nhs_number', 'line1', 'town', 'postcode', 'valid_from', 'valid_to'], addresses);
};
