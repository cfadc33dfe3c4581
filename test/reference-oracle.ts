/**
 * The reference policy, written out here independently of the policy files,
 * as the tests' oracle: what each persona may see of each demo child.
 */
export const AMELIA = '9990000018',
  LEO = '9990000026',
  MAYA = '9990000034',
  NOAH = '9990000042',
  ISLA = '9990000050';
export const children = [AMELIA, LEO, MAYA, NOAH, ISLA];

export type Purpose = 'direct-care' | 'safeguarding' | 'emergency-care' | 'audit' | 'break-glass';
export const purposes: Purpose[] = ['direct-care', 'safeguarding', 'emergency-care', 'audit', 'break-glass'];
/** The demo personas the oracle speaks for, written out here rather than read from the agencies' persona files. */
export const personas = ['sw.jones', 'sw.ahmed', 'tm.patel', 'gp.smith', 'dr.lee', 'dsl.khan', 'ho.evans', 'cg.wright', 'pc.morgan'] as const;
export type PersonaName = (typeof personas)[number];

const roleOf: Record<PersonaName, string> = {
  'sw.jones': 'social-worker',
  'sw.ahmed': 'social-worker',
  'tm.patel': 'team-manager',
  'gp.smith': 'gp',
  'dr.lee': 'emergency-clinician',
  'dsl.khan': 'school-dsl',
  'ho.evans': 'housing-officer',
  'cg.wright': 'privacy-officer',
  'pc.morgan': 'police-officer',
};
/** Relationships in the seed. */
const allocated: Partial<Record<PersonaName, string[]>> = { 'sw.jones': [AMELIA, LEO], 'sw.ahmed': [MAYA] };
const managesWorkerOf: Partial<Record<PersonaName, string[]>> = { 'tm.patel': [AMELIA, LEO] };
const registeredWith: Partial<Record<PersonaName, string[]>> = { 'gp.smith': [AMELIA, LEO, ISLA] };
const schoolOf: Partial<Record<PersonaName, string[]>> = { 'dsl.khan': [AMELIA, NOAH, ISLA] };
// Northshire Homes is the Harts' landlord, and holds the household member that may be Noah (a possible match).
const landlordOf: Partial<Record<PersonaName, string[]>> = { 'ho.evans': [AMELIA, LEO, NOAH] };
// Northshire Police notified Northshire Primary (dsl.khan's school) about Amelia and Noah; its records hold Amelia, Leo, Noah and Maya.
const notifiedSchoolOf: Partial<Record<PersonaName, string[]>> = { 'dsl.khan': [AMELIA, NOAH] };
const ownForceOf: Partial<Record<PersonaName, string[]>> = { 'pc.morgan': [AMELIA, LEO, NOAH, MAYA] };
const consentToSchool = [ISLA];
const restricted = [MAYA];

/**
 * `callerOnly` answers as if the record allowed everything it can (relationship, consent, unrestricted):
 * what the caller alone settles, as the gateway decides before planning.
 */
export function expected(persona: PersonaName, purpose: Purpose, child: string, field: string, callerOnly = false, asReported = true): boolean {
  const role = roleOf[persona];
  const breakGlass = purpose === 'break-glass';
  const p = breakGlass ? 'emergency-care' : purpose;
  const care = p !== 'audit';
  // A police officer is a practitioner only for safeguarding, and only to identity and the police.
  const officer = role === 'police-officer';
  const practitioner = role !== 'privacy-officer' && !officer;
  const is = (...roles: string[]) => roles.includes(role);
  const has = (relation: Partial<Record<PersonaName, string[]>>) => callerOnly || (relation[persona]?.includes(child) ?? false);
  const isRestricted = !callerOnly && restricted.includes(child);
  const consented = callerOnly || consentToSchool.includes(child);
  const basic = (practitioner && care) || (officer && p === 'safeguarding');
  const address = basic && !isRestricted;
  const clinical =
    (is('gp') && care && has(registeredWith)) || (is('social-worker') && p === 'safeguarding') || (is('gp', 'emergency-clinician') && breakGlass);
  const status =
    (is('social-worker', 'team-manager') && care) || (is('gp', 'emergency-clinician') && care) || (is('school-dsl', 'housing-officer') && p === 'safeguarding');
  const housingRecord =
    (is('housing-officer') && care && has(landlordOf)) || (is('social-worker') && p === 'safeguarding') || (is('gp') && p === 'direct-care');
  const rules: Record<string, boolean> = {
    nhsNumber: basic,
    name: basic,
    dateOfBirth: basic,
    gender: basic,
    nhsNumberStatus: basic,
    restricted: basic,
    address,
    health: basic,
    'health.registeredGp': practitioner && ['direct-care', 'safeguarding'].includes(p),
    'health.healthVisitor': practitioner && ['direct-care', 'safeguarding'].includes(p),
    'health.immunisations': clinical,
    'health.emergencyAttendances': clinical,
    // The child's own school with consent, also in an emergency (an asthma attack at school); for safeguarding without.
    'health.conditions':
      clinical || (is('school-dsl') && ['direct-care', 'safeguarding', 'emergency-care'].includes(p) && has(schoolOf) && (consented || p === 'safeguarding')),
    socialCare: status,
    'socialCare.status': status,
    'socialCare.statusSince': status,
    'socialCare.localAuthority': status,
    'socialCare.allocatedWorker': status,
    'socialCare.referrals': is('social-worker', 'team-manager') && care,
    'socialCare.caseNotes': (is('social-worker') && care && has(allocated)) || (is('team-manager') && care && has(managesWorkerOf)),
    // A restricted child's placement: only their allocated social worker.
    'socialCare.placement': (is('social-worker', 'team-manager') && care && !isRestricted) || (is('social-worker') && care && has(allocated)),
    // Housing also requires identity's address policy (composition insists, as it matches on the address):
    // identity withholds a restricted child's address from everyone, and housing its household.
    housing: housingRecord && !isRestricted,
    'housing.matchConfidence': housingRecord && !isRestricted,
    'housing.matchedOn': housingRecord && !isRestricted,
    'housing.tenancy': housingRecord && !isRestricted,
    'housing.household': housingRecord && !isRestricted,
    'housing.temporaryAccommodation': housingRecord && !isRestricted,
    'housing.antisocialBehaviourCases': ((is('housing-officer') && care && has(landlordOf)) || (is('social-worker') && p === 'safeguarding')) && !isRestricted,
    'housing.rentArrears': ((is('housing-officer') && care && has(landlordOf)) || (is('social-worker') && p === 'safeguarding')) && !isRestricted,
    education: is('social-worker', 'team-manager', 'gp', 'school-dsl') && care,
    'education.school': (is('social-worker', 'team-manager', 'gp') && care && !isRestricted) || (is('school-dsl') && care && has(schoolOf)),
  };
  // Police, as housing, also requires identity's address policy: nothing of a restricted child's police record is shown.
  const policeRecord =
    ((officer && p === 'safeguarding' && has(ownForceOf)) ||
      (is('social-worker', 'team-manager', 'gp') && p === 'safeguarding') ||
      (is('school-dsl') && ['direct-care', 'safeguarding'].includes(p) && has(notifiedSchoolOf))) &&
    !isRestricted;
  rules.police = policeRecord;
  rules['police.matchConfidence'] = policeRecord;
  rules['police.matchedOn'] = policeRecord;
  rules['police.encompassNotifications'] = policeRecord;
  for (const f of ['attendanceRate', 'unauthorisedAbsences', 'exclusions', 'senSupport', 'ehcp', 'freeSchoolMeals']) {
    rules[`education.${f}`] = (is('school-dsl') && care && has(schoolOf)) || (is('social-worker', 'team-manager') && p === 'safeguarding');
  }
  // A container none of whose asked-for fields the caller may ever read is itself withheld, in their place.
  for (const container of asReported ? ['health', 'socialCare', 'housing', 'education', 'police'] : []) {
    rules[container] =
      rules[container]! && fields.some((f) => f.startsWith(`${container}.`) && (callerOnly ? rules[f] : expected(persona, purpose, child, f, true)));
  }
  const lookup = (practitioner && care) || (officer && p === 'safeguarding') || (role === 'privacy-officer' && p === 'audit');
  if (!(field in rules)) throw new Error(`no expectation for ${field}`);
  return lookup && rules[field]!;
}

export const fields = [
  'nhsNumber',
  'name',
  'dateOfBirth',
  'gender',
  'address',
  'nhsNumberStatus',
  'restricted',
  'health',
  'health.registeredGp',
  'health.healthVisitor',
  'health.immunisations',
  'health.emergencyAttendances',
  'health.conditions',
  'socialCare',
  'socialCare.status',
  'socialCare.statusSince',
  'socialCare.localAuthority',
  'socialCare.allocatedWorker',
  'socialCare.referrals',
  'socialCare.caseNotes',
  'socialCare.placement',
  'housing',
  'housing.matchConfidence',
  'housing.matchedOn',
  'housing.tenancy',
  'housing.household',
  'housing.temporaryAccommodation',
  'housing.antisocialBehaviourCases',
  'housing.rentArrears',
  'education',
  'education.school',
  'education.attendanceRate',
  'education.unauthorisedAbsences',
  'education.exclusions',
  'education.senSupport',
  'education.ehcp',
  'education.freeSchoolMeals',
  'police',
  'police.matchConfidence',
  'police.matchedOn',
  'police.encompassNotifications',
];
