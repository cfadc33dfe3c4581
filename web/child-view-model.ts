import { AGENCY_NAMES, createFieldReader, type FieldState } from './field-state';
import { formatIncidentType, formatScore, formatTime } from './format';
import type { GatewayResult } from './gateway-client';
import type { ChildViewQuery } from './operations';

type Format = (value: unknown) => string | string[];

/** One line on the page: what it is, where it comes from in the graph, and the state it is in. */
export interface Row {
  label: string;
  field: string;
  state: FieldState['state'];
  text?: string;
  items?: string[];
  policy?: string;
  reason?: string;
  agency?: string;
}

export interface Section {
  id: string;
  title: string;
  agency: string;
  rows: Row[];
}

const text: Format = (v) => String(v);
const yesNo: Format = (v) => (v ? 'Yes' : 'No');
const words: Format = (v) =>
  String(v)
    .toLowerCase()
    .replace(/_/g, ' ')
    .replace(/^./, (c) => c.toUpperCase());
const percent: Format = (v) => `${Number(v).toFixed(1)}%`;
const score: Format = (v) => formatScore(Number(v));
const pounds: Format = (v) => `£${Number(v).toFixed(2)}`;
const list =
  (each: (item: Record<string, unknown>) => string): Format =>
  (v) => {
    const items = v as Record<string, unknown>[];
    return items.length === 0 ? 'None' : items.map(each);
  };
const strings: Format = (v) => ((v as string[]).length === 0 ? 'None' : (v as string[]).join(', '));

const TRACE_STATUS: Record<string, string> = {
  '01': '01 – present and verified',
  '02': '02 – present, not traced',
  '03': '03 – trace required',
  '04': '04 – trace attempted',
  '05': '05 – trace to be resolved',
  '06': '06 – trace in progress',
  '07': '07 – not present, trace not required',
  '08': '08 – trace postponed',
};

/** Builds every row of the child's single view from one gateway result. */
export function childViewModel(result: GatewayResult<ChildViewQuery>) {
  const read = createFieldReader(result, ['child']);
  const row = (label: string, path: string, format: Format = text): Row => {
    // A list item's index is a number in the result's error paths.
    const state = read(...path.split('.').map((key) => (/^\d+$/.test(key) ? Number(key) : key)));
    const field = path;
    switch (state.state) {
      case 'value': {
        const shown = format(state.value);
        return Array.isArray(shown) ? { label, field, state: 'value', items: shown } : { label, field, state: 'value', text: shown };
      }
      case 'withheld':
        return { label, field, state: 'withheld', policy: state.policy, reason: state.reason };
      case 'unavailable':
        return { label, field, state: 'unavailable', agency: AGENCY_NAMES[state.agency] ?? state.agency };
      default:
        return { label, field, state: 'not-recorded' };
    }
  };
  const section = (id: string, title: string, agency: string, rows: Row[]): Section => ({ id, title, agency, rows });
  const name = read('name');
  const heading =
    name.state === 'value' ? [(name.value as { given?: string }).given ?? '', (name.value as { family?: string }).family ?? ''].join(' ').trim() : 'Child';

  const whoToCall: Row[] = [
    row('Allocated social worker', 'socialCare.allocatedWorker.name'),
    row('Social worker’s phone', 'socialCare.allocatedWorker.phone'),
    row('Social work team', 'socialCare.allocatedWorker.team'),
    row('Local authority', 'socialCare.localAuthority.name'),
    row('Duty line', 'socialCare.localAuthority.dutyPhone'),
    row('GP practice', 'health.registeredGp.practiceName'),
    row('Health visitor', 'health.healthVisitor.name'),
    row('Health visitor’s phone', 'health.healthVisitor.phone'),
    row('School', 'education.school.name'),
    row('Designated safeguarding lead', 'education.school.designatedSafeguardingLead.name'),
    row('Safeguarding lead’s phone', 'education.school.designatedSafeguardingLead.phone'),
    row('Landlord', 'housing.tenancy.landlord'),
  ];
  const sections: Section[] = [
    section('demographics', 'Demographics', 'identity', [
      row('NHS number', 'nhsNumber', (v) => String(v).replace(/^(\d{3})(\d{3})(\d{4})$/, '$1 $2 $3')),
      row('Name', 'name', (v) => `${(v as { given?: string }).given ?? ''} ${(v as { family?: string }).family ?? ''}`.trim()),
      row('Date of birth', 'dateOfBirth'),
      row('Gender', 'gender', words),
      row('Address', 'address', (v) =>
        Object.values(v as Record<string, string | null>)
          .filter(Boolean)
          .join(', '),
      ),
      row('NHS number status', 'nhsNumberStatus', (v) => TRACE_STATUS[String(v)] ?? String(v)),
      row('Restricted record', 'restricted', yesNo),
    ]),
    section('health', 'Health', 'health', [
      row('GP practice', 'health.registeredGp.practiceName'),
      row('Practice code', 'health.registeredGp.odsCode'),
      row('Registered since', 'health.registeredGp.registeredSince'),
      row('Health visitor', 'health.healthVisitor.name'),
      row(
        'Immunisations',
        'health.immunisations',
        list((i) => `${String(i.vaccine)} – ${String(i.date)}`),
      ),
      row(
        'Emergency attendances',
        'health.emergencyAttendances',
        list((a) => `${String(a.date)} – ${String(a.hospital)}: ${String(a.reason)}`),
      ),
      row(
        'Conditions',
        'health.conditions',
        list((c) => `${String(c.name)} (since ${String(c.since)})`),
      ),
    ]),
    section('social-care', 'Children’s social care', 'socialcare', [
      row('Status', 'socialCare.status', words),
      row('Status since', 'socialCare.statusSince'),
      row('Local authority', 'socialCare.localAuthority.name'),
      row('Allocated social worker', 'socialCare.allocatedWorker.name'),
      row(
        'Referrals',
        'socialCare.referrals',
        list((r) => `${String(r.date)} – ${String(r.source)}: ${String(r.reason)}`),
      ),
      row(
        'Case notes',
        'socialCare.caseNotes',
        list((n) => `${String(n.date)} – ${String(n.author)}: ${String(n.text)}`),
      ),
      row('Placement', 'socialCare.placement', (v) => `${String((v as { type?: string }).type)} since ${String((v as { since?: string }).since)}`),
    ]),
    section('housing', 'Housing', 'housing', [
      row('Match confidence', 'housing.matchConfidence', score),
      row('Matched on', 'housing.matchedOn', strings),
      row(
        'Possible matches',
        'housing.possibleMatches',
        list((m) => `${String(m.reference)} (${score(m.confidence) as string})`),
      ),
      row('Tenancy address', 'housing.tenancy.address'),
      row('Tenancy type', 'housing.tenancy.type', words),
      row('Landlord', 'housing.tenancy.landlord'),
      row('Tenancy since', 'housing.tenancy.startDate'),
      row(
        'Household',
        'housing.household',
        list((m) => `${String(m.name)} (${String(m.relationship)})`),
      ),
      row('Temporary accommodation', 'housing.temporaryAccommodation', yesNo),
      row(
        'Anti-social behaviour cases',
        'housing.antisocialBehaviourCases',
        list((c) => `${String(c.date)} – ${String(c.category)}`),
      ),
      row('Rent arrears', 'housing.rentArrears', pounds),
    ]),
    section('education', 'Education', 'education', [
      row('School', 'education.school.name'),
      row('School URN', 'education.school.urn'),
      row('Attendance', 'education.attendanceRate', percent),
      row('Unauthorised absences', 'education.unauthorisedAbsences'),
      row(
        'Exclusions',
        'education.exclusions',
        list((e) => `${String(e.date)} – ${words(e.type) as string}, ${String(e.days)} days`),
      ),
      row('SEN support', 'education.senSupport', yesNo),
      row('EHC plan', 'education.ehcp', yesNo),
      row('Free school meals', 'education.freeSchoolMeals', yesNo),
    ]),
  ];
  sections.push(section('police', 'Police (Operation Encompass)', 'police', policeRows(read, row)));
  return { heading, found: read().state === 'value', whoToCall, sections, agencyNames: AGENCY_NAMES };
}

const when: Format = (iso) => formatTime(String(iso));

/**
 * The police's part: the match, then each Operation Encompass notification, newest first, as rows of its own
 * (where the incident happened and the child's own words are each withheld or shown on their own).
 */
function policeRows(read: ReturnType<typeof createFieldReader>, row: (label: string, path: string, format?: Format) => Row): Row[] {
  const rows = [
    row('Match confidence', 'police.matchConfidence', score),
    row('Matched on', 'police.matchedOn', strings),
    row(
      'Possible matches',
      'police.possibleMatches',
      list((m) => `${String(m.reference)} (${score(m.confidence) as string})`),
    ),
  ];
  const notifications = read('police', 'encompassNotifications');
  if (notifications.state !== 'value' || !Array.isArray(notifications.value) || notifications.value.length === 0) {
    return [...rows, row('Encompass notifications', 'police.encompassNotifications', () => 'None')];
  }
  notifications.value.forEach((_, i) => {
    const at = `police.encompassNotifications.${i}`;
    rows.push(
      row(`Notification ${i + 1}: sent`, `${at}.sentAt`, when),
      row('Sent to', `${at}.notified`, (v) => {
        const to = v as { __typename: string; name?: string; urn?: string; code?: string };
        return to.__typename === 'NotifiedSchool' ? `${to.name ?? 'School'} (URN ${to.urn ?? 'unknown'})` : `Local authority ${to.code ?? ''}`.trim();
      }),
      row('Incident', `${at}.incident.type`, (v) => `Domestic abuse: ${formatIncidentType(String(v))}`),
      row('Incident date', `${at}.incident.occurredAt`, when),
      row('Police reference', `${at}.incident.reference`),
      row('Where it happened', `${at}.incident.place`),
      row('Child present', `${at}.childPresent`, yesNo),
      row('Where the child was', `${at}.childWhereabouts`),
      row('The child’s own words', `${at}.childsVoice`),
      row('Acknowledged by the school', `${at}.acknowledgedBy`, (v) => `${String(v)}`),
    );
  });
  return rows;
}
