import { addDays, birthDateFor } from './dates';
import type { Directory } from './directory';
import type { Child, Household } from './population';

/**
 * The five fixed demo children, the same in every seed (their dates move with
 * `asOf` so that their ages stay as described). All are fictional.
 */
export function addDemoChildren(target: { asOf: string; directory: Directory; children: Child[]; households: Household[] }): void {
  const { asOf, children, households } = target;
  const ago = (days: number) => addDays(asOf, -days);
  const household = (id: string, family: string, line1: string, postcode: string, tenancy: Household['tenancy']): Household => ({
    id,
    family,
    address: { line1, town: 'Northshire', postcode },
    previousAddress: { line1: '2 Station Road', town: 'Eastbrook', postcode: 'NS2 7QT' },
    adults: [{ given: 'Claire', family, relationship: 'Parent' }],
    childIds: [],
    tenancy,
  });
  const harts = household('H000001', 'Hart', '14 Mill Lane', 'NS1 4AB', {
    ref: 'TEN0000001',
    landlordId: 'NH',
    type: 'SECURE',
    startDate: ago(1400),
    temporaryAccommodation: false,
    arrearsPence: 48250,
    antisocialBehaviour: [{ date: ago(90), category: 'Noise' }],
  });
  const okafor = household('H000002', 'Okafor', '3 Beech Grove', 'NS3 2LP', null);
  const williams = household('H000003', 'Williams', '27 Church Street', 'NS1 6RD', {
    ref: 'TEN0000003',
    landlordId: 'NH',
    type: 'ASSURED',
    startDate: ago(2100),
    temporaryAccommodation: false,
    arrearsPence: 0,
    antisocialBehaviour: [],
  });
  const browns = household('H000004', 'Brown', '8 Orchard Close', 'NS4 1HW', null);
  households.push(harts, okafor, williams, browns);

  const base = (nhsNumber: string, given: string, h: Household, dateOfBirth: string, gender: Child['gender']): Child => {
    h.childIds.push(nhsNumber);
    return {
      nhsNumber,
      given,
      family: h.family,
      dateOfBirth,
      gender,
      householdId: h.id,
      restricted: false,
      traceStatus: '01',
      health: {
        odsCode: 'Y00001',
        registeredOn: addDays(dateOfBirth, 20),
        healthVisitorId: null,
        immunisations: [],
        emergencyAttendances: [],
        conditions: [],
        consentToShareWithSchool: false,
      },
      education: null,
      socialCare: null,
      housing: null,
    };
  };
  const school = (nhsNumber: string, urn: string, attendanceRate: number): Child['education'] => ({
    urn,
    upn: `N${nhsNumber.slice(3)}D`,
    attendanceRate,
    possibleSessions: 300,
    unauthorisedSessions: Math.round((100 - attendanceRate) * 2),
    exclusions: [],
    sen: 'N',
    freeSchoolMeals: false,
  });

  const amelia = base('9990000018', 'Amelia', harts, birthDateFor(asOf, 7, 5, 14), 'female');
  amelia.health.immunisations = [
    { vaccine: 'MMR (1st dose)', date: addDays(amelia.dateOfBirth, 370) },
    { vaccine: 'MMR (2nd dose)', date: addDays(amelia.dateOfBirth, 1210) },
  ];
  amelia.health.emergencyAttendances = [
    { date: ago(20), hospital: 'Northshire General Hospital', reason: 'Head injury' },
    { date: ago(75), hospital: 'Northshire General Hospital', reason: 'Suspected fracture' },
    { date: ago(150), hospital: "St Anne's Children's Hospital", reason: 'Burn' },
  ];
  amelia.education = { ...school(amelia.nhsNumber, '100001', 84.5)!, freeSchoolMeals: true };
  amelia.socialCare = {
    status: 'CHILD_PROTECTION_PLAN',
    since: ago(120),
    workerId: 'W001',
    referrals: [{ date: ago(140), source: 'School', reason: 'Unexplained bruising' }],
    caseNotes: [
      { date: ago(30), authorId: 'W001', text: 'Home visit: Amelia seen alone; reports feeling safe at school.' },
      { date: ago(10), authorId: 'W001', text: 'Core group meeting held; plan reviewed with school and GP.' },
    ],
  };
  amelia.housing = { given: 'Amelia', family: 'Hart', dateOfBirth: amelia.dateOfBirth, postcode: 'NS1 4AB', relationship: 'Child', noise: [] };

  const leo = base('9990000026', 'Leo', harts, birthDateFor(asOf, 4, 9, 2), 'male');
  leo.health.healthVisitorId = 'HV1';
  leo.socialCare = {
    status: 'CHILD_IN_NEED',
    since: ago(120),
    workerId: 'W001',
    referrals: [{ date: ago(140), source: 'School', reason: 'Sibling subject to child protection enquiry' }],
    caseNotes: [{ date: ago(30), authorId: 'W001', text: 'Leo seen at home with mother; nursery place discussed.' }],
  };
  leo.housing = { given: 'Leo', family: 'Hart', dateOfBirth: leo.dateOfBirth, postcode: 'NS1 4AB', relationship: 'Child', noise: [] };

  const maya = base('9990000034', 'Maya', okafor, birthDateFor(asOf, 12, 2, 20), 'female');
  maya.restricted = true;
  maya.health.odsCode = 'Y00007';
  maya.education = school(maya.nhsNumber, '100023', 91.2);
  maya.socialCare = {
    status: 'LOOKED_AFTER',
    since: ago(400),
    workerId: 'W002',
    referrals: [{ date: ago(420), source: 'Police', reason: 'Domestic abuse in household' }],
    caseNotes: [{ date: ago(14), authorId: 'W002', text: 'Placement review: Maya settled with foster carers.' }],
  };

  const noah = base('9990000042', 'Noah', williams, birthDateFor(asOf, 9, 3, 7), 'male');
  noah.health.odsCode = 'Y00002';
  noah.education = school(noah.nhsNumber, '100001', 96.8);
  const [y, m, d] = noah.dateOfBirth.split('-');
  noah.housing = {
    given: 'Noah',
    family: 'Wiliams',
    dateOfBirth: `${y}-${d}-${m}`,
    postcode: 'NS1 6RD',
    relationship: 'Child',
    noise: ['misspelt family name', 'day and month swapped'],
  };

  const isla = base('9990000050', 'Isla', browns, birthDateFor(asOf, 10, 11, 30), 'female');
  isla.health.conditions = [{ name: 'Asthma', since: addDays(isla.dateOfBirth, 1100) }];
  isla.health.consentToShareWithSchool = true;
  isla.education = school(isla.nhsNumber, '100001', 93.4);

  children.push(amelia, leo, maya, noah, isla);
}
