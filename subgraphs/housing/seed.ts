import { insertRows, type SeedFunction } from '../../shared';
import { populationFor } from '../../synthetic';

/** Loads the landlords' records of the synthetic households in social housing, with the noise real records carry. */
export const seedHousing: SeedFunction = async (db, options) => {
  const { children, households, directory } = populationFor(options);
  const byNhs = new Map(children.map((c) => [c.nhsNumber, c]));
  await db.exec('TRUNCATE records.asb_case, records.household_member, records.tenancy, records.property, records.landlord');
  await insertRows(
    db,
    'records.landlord',
    ['landlord_id', 'name'],
    directory.landlords.map((l) => [l.id, l.name]),
  );
  const properties: unknown[][] = [];
  const tenancies: unknown[][] = [];
  const members: unknown[][] = [];
  const cases: unknown[][] = [];
  for (const h of households) {
    const t = h.tenancy;
    if (!t) continue;
    const propertyRef = `PR${h.id.slice(1)}`;
    properties.push([propertyRef, h.address.line1, h.address.town, h.address.postcode]);
    tenancies.push([t.ref, propertyRef, t.landlordId, t.type, t.startDate, null, t.temporaryAccommodation, t.arrearsPence]);
    h.adults.forEach((a, i) => members.push([`${t.ref}-A${i + 1}`, t.ref, a.given, a.family, null, a.relationship, h.address.postcode]));
    h.childIds.forEach((id, i) => {
      const record = byNhs.get(id)?.housing;
      if (record) members.push([`${t.ref}-C${i + 1}`, t.ref, record.given, record.family, record.dateOfBirth, record.relationship, record.postcode]);
    });
    t.antisocialBehaviour.forEach((c, i) => cases.push([`${t.ref}-ASB${i + 1}`, t.ref, c.date, c.category]));
  }
  await insertRows(db, 'records.property', ['property_ref', 'line1', 'town', 'postcode'], properties);
  await insertRows(
    db,
    'records.tenancy',
    ['tenancy_ref', 'property_ref', 'landlord_id', 'tenancy_type', 'start_date', 'end_date', 'temporary_accommodation', 'arrears_pence'],
    tenancies,
  );
  await insertRows(
    db,
    'records.household_member',
    ['member_ref', 'tenancy_ref', 'given_name', 'family_name', 'date_of_birth', 'relationship', 'postcode'],
    members,
  );
  await insertRows(db, 'records.asb_case', ['case_ref', 'tenancy_ref', 'opened_on', 'category'], cases);
};
