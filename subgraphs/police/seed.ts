import { insertRows, type SeedFunction } from '../../shared';
import { addDays, createRandom, localAuthority, populationFor, type Child } from '../../synthetic';

/** The fictional force of the synthetic county. */
export const FORCE = { id: 'NSP', name: 'Northshire Police' } as const;

const TYPES = ['DOMESTIC_ABUSE_PHYSICAL', 'DOMESTIC_ABUSE_VERBAL', 'DOMESTIC_ABUSE_VERBAL', 'DOMESTIC_ABUSE_COERCIVE', 'DOMESTIC_ABUSE_OTHER'] as const;
const WHEREABOUTS = ['In the same room', 'In the next room', 'Upstairs', 'Asleep upstairs', 'In the garden', null];
const VOICES = ['I went to my room and put my headphones on.', 'I was scared and hid.', 'It happens when they argue.', null, null, null];

/** One incident, the children at it, and the force's record of each child. */
interface Incident {
  ref: string;
  at: string;
  type: (typeof TYPES)[number];
  place: { line1: string; town: string; postcode: string };
  children: {
    child: Child;
    recorded: { given: string; family: string };
    present: boolean;
    whereabouts: string | null;
    voice: string | null;
    acknowledged: boolean;
    sentAt: string;
  }[];
}

/**
 * Loads the force's synthetic records, replacing what was there: an incident of domestic abuse at about one
 * household in twenty of the synthetic county (and the demo children's, below), each child of the household
 * linked to it, and an Encompass notification for each child to their school or, not at school, to the local
 * authority, sent before the next school day. The force knows the children by name, date of birth and
 * address only, and sometimes misspells a name.
 */
export const seedPolice: SeedFunction = async (db, options) => {
  const { asOf, children, households, directory } = populationFor(options);
  const random = createRandom(options.seed * 7919 + 49);
  const byNhsNumber = new Map(children.map((c) => [c.nhsNumber, c]));
  const householdById = new Map(households.map((h) => [h.id, h]));
  const schools = new Map(directory.schools.map((s) => [s.urn, s.name]));
  const at = (daysAgo: number, time: string) => `${addDays(asOf, -daysAgo)}T${time}:00Z`;
  const incidents: Incident[] = demoIncidents(asOf, byNhsNumber, at);
  const demo = new Set(incidents.flatMap((i) => i.children.map((c) => c.child.nhsNumber)));
  households.forEach((household, index) => {
    if (index % 20 !== 7 || household.childIds.some((n) => demo.has(n))) return;
    const daysAgo = random.int(1, 700);
    const hour = String(random.int(18, 23)).padStart(2, '0');
    incidents.push({
      ref: `NSP-${addDays(asOf, -daysAgo).replaceAll('-', '').slice(2)}-${String(index).padStart(5, '0')}`,
      at: at(daysAgo, `${hour}:${String(random.int(0, 59)).padStart(2, '0')}`),
      type: random.pick(TYPES),
      place: household.address,
      children: household.childIds
        .map((n) => byNhsNumber.get(n)!)
        .map((child) => ({
          child,
          recorded: { given: child.given, family: random.chance(0.1) ? misspell(child.family, random.int(1, child.family.length - 1)) : child.family },
          present: random.chance(0.7),
          whereabouts: random.pick(WHEREABOUTS),
          voice: random.pick(VOICES),
          acknowledged: daysAgo > 2 || random.chance(0.5),
          sentAt: at(daysAgo - 1, '07:30'),
        })),
    });
  });

  await db.exec(
    'TRUNCATE records.encompass_notification, records.incident_child, records.person, records.incident, records.force, service.encompass_acknowledgement',
  );
  await insertRows(db, 'records.force', ['force_id', 'name'], [[FORCE.id, FORCE.name]]);
  await insertRows(
    db,
    'records.incident',
    ['incident_ref', 'force_id', 'occurred_at', 'place_line1', 'place_town', 'place_postcode', 'incident_type'],
    incidents.map((i) => [i.ref, FORCE.id, i.at, i.place.line1, i.place.town, i.place.postcode, i.type]),
  );
  const people = new Map<string, { ref: string; row: unknown[] }>();
  const links: unknown[][] = [];
  const notifications: unknown[][] = [];
  const acknowledgements: unknown[][] = [];
  for (const incident of incidents) {
    for (const linked of incident.children) {
      const { child, recorded } = linked;
      let person = people.get(child.nhsNumber);
      if (!person) {
        const ref = `NSP-P${String(people.size + 1).padStart(7, '0')}`;
        const home = householdById.get(child.householdId)!.address;
        person = { ref, row: [ref, FORCE.id, recorded.given, recorded.family, child.dateOfBirth, home.line1, home.town, home.postcode] };
        people.set(child.nhsNumber, person);
      }
      links.push([incident.ref, person.ref, linked.present, linked.whereabouts, linked.voice]);
      const id = `ENC-${incident.ref.slice(4)}-${person.ref.slice(-4)}`;
      const urn = child.education?.urn ?? null;
      notifications.push([id, incident.ref, person.ref, urn, urn ? (schools.get(urn) ?? null) : null, urn ? null : localAuthority.code, linked.sentAt]);
      if (urn && linked.acknowledged) {
        const dsl = directory.schools.find((s) => s.urn === urn)!.dsl;
        // The demo school's safeguarding lead is the persona dsl.khan.
        acknowledgements.push([id, urn === '100001' ? 'dsl.khan' : `dsl.${urn}`, dsl.name, urn, `seed-${id}`, linked.sentAt.replace('07:30', '08:20')]);
      }
    }
  }
  await insertRows(
    db,
    'records.person',
    ['person_ref', 'force_id', 'given_name', 'family_name', 'date_of_birth', 'line1', 'town', 'postcode'],
    [...people.values()].map((p) => p.row),
  );
  await insertRows(db, 'records.incident_child', ['incident_ref', 'person_ref', 'present', 'whereabouts', 'child_voice'], links);
  await insertRows(
    db,
    'records.encompass_notification',
    ['notification_id', 'incident_ref', 'person_ref', 'school_urn', 'school_name', 'la_code', 'sent_at'],
    notifications,
  );
  await insertRows(
    db,
    'service.encompass_acknowledgement',
    ['notification_id', 'acknowledged_by', 'acknowledged_by_name', 'acknowledged_by_org', 'trace_id', 'acknowledged_at'],
    acknowledgements,
  );
};

/**
 * The demo children's incidents, the same in every seed: Amelia and Leo at home twelve days ago (Amelia's school
 * notified and its safeguarding lead, dsl.khan, acknowledged it; Leo, not at school, notified to the local
 * authority); Noah yesterday, not yet acknowledged, his family name misspelt in the force's record; and Maya, a
 * restricted child, at her family's former home before they moved.
 */
function demoIncidents(asOf: string, children: Map<string, Child>, at: (daysAgo: number, time: string) => string): Incident[] {
  const child = (nhsNumber: string) => children.get(nhsNumber);
  const amelia = child('9990000018'),
    leo = child('9990000026'),
    noah = child('9990000042'),
    maya = child('9990000034');
  const incidents: Incident[] = [];
  const ref = (daysAgo: number, n: number) => `NSP-${addDays(asOf, -daysAgo).replaceAll('-', '').slice(2)}-${String(n).padStart(5, '0')}`;
  if (amelia && leo) {
    incidents.push({
      ref: ref(12, 1),
      at: at(12, '22:40'),
      type: 'DOMESTIC_ABUSE_PHYSICAL',
      place: { line1: '14 Mill Lane', town: 'Northshire', postcode: 'NS1 4AB' },
      children: [
        {
          child: amelia,
          recorded: { given: 'Amelia', family: 'Hart' },
          present: true,
          whereabouts: 'In the living room',
          voice: 'I hid behind the sofa until it stopped.',
          acknowledged: true,
          sentAt: at(11, '07:30'),
        },
        {
          child: leo,
          recorded: { given: 'Leo', family: 'Hart' },
          present: true,
          whereabouts: 'Asleep upstairs',
          voice: null,
          acknowledged: false,
          sentAt: at(11, '07:30'),
        },
      ],
    });
  }
  if (noah) {
    incidents.push({
      ref: ref(1, 2),
      at: at(1, '21:15'),
      type: 'DOMESTIC_ABUSE_VERBAL',
      place: { line1: '27 Church Street', town: 'Northshire', postcode: 'NS1 6RD' },
      children: [
        {
          child: noah,
          recorded: { given: 'Noah', family: 'Willams' },
          present: true,
          whereabouts: 'In the same room',
          voice: null,
          acknowledged: false,
          sentAt: at(0, '07:30'),
        },
      ],
    });
  }
  if (maya) {
    incidents.push({
      ref: ref(425, 3),
      at: at(425, '23:05'),
      type: 'DOMESTIC_ABUSE_PHYSICAL',
      place: { line1: '61 Quarry Road', town: 'Eastbrook', postcode: 'NS2 8HT' },
      children: [
        {
          child: maya,
          recorded: { given: 'Maya', family: 'Okafor' },
          present: false,
          whereabouts: "At a friend's house",
          voice: null,
          acknowledged: true,
          sentAt: at(424, '07:30'),
        },
      ],
    });
  }
  return incidents;
}

/** A name with one letter dropped, as a hurried officer might write it. */
function misspell(name: string, at: number): string {
  return name.slice(0, at) + name.slice(at + 1);
}
