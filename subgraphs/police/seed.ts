import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
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
  // Each table with its columns, in the order their references need.
  const tables: [string, string[], unknown[][]][] = [
    ['records.force', ['force_id', 'name'], [[FORCE.id, FORCE.name]]],
    [
      'records.incident',
      ['incident_ref', 'force_id', 'occurred_at', 'place_line1', 'place_town', 'place_postcode', 'incident_type'],
      incidents.map((i) => [i.ref, FORCE.id, i.at, i.place.line1, i.place.town, i.place.postcode, i.type]),
    ],
    [
      'records.person',
      ['person_ref', 'force_id', 'given_name', 'family_name', 'date_of_birth', 'line1', 'town', 'postcode'],
      [...people.values()].map((p) => p.row),
    ],
    ['records.incident_child', ['incident_ref', 'person_ref', 'present', 'whereabouts', 'child_voice'], links],
    ['records.encompass_notification', ['notification_id', 'incident_ref', 'person_ref', 'school_urn', 'school_name', 'la_code', 'sent_at'], notifications],
    [
      'service.encompass_acknowledgement',
      ['notification_id', 'acknowledged_by', 'acknowledged_by_name', 'acknowledged_by_org', 'trace_id', 'acknowledged_at'],
      acknowledgements,
    ],
  ];
  await db.exec(`TRUNCATE ${tables.map(([table]) => table).join(', ')}`);
  for (const [table, columns, rows] of tables) await insertRows(db, table, columns, rows);
};

const demoIncidentsSchema = z.array(
  z.strictObject({
    daysAgo: z.number().int().min(0),
    time: z.string().regex(/^\d\d:\d\d$/),
    type: z.enum(TYPES),
    place: z.strictObject({ line1: z.string(), town: z.string(), postcode: z.string() }),
    children: z.array(
      z.strictObject({
        nhsNumber: z.string(),
        given: z.string(),
        family: z.string(),
        present: z.boolean(),
        whereabouts: z.string().nullable().default(null),
        voice: z.string().nullable().default(null),
        acknowledged: z.boolean(),
        sentDaysAgo: z.number().int().min(0),
      }),
    ),
  }),
);

/** The demo children's incidents (demo-incidents.yaml), for those of the demo children in this population. */
function demoIncidents(asOf: string, children: Map<string, Child>, at: (daysAgo: number, time: string) => string): Incident[] {
  const demo = demoIncidentsSchema.parse(parseYaml(readFileSync(join(__dirname, 'demo-incidents.yaml'), 'utf8')));
  return demo.flatMap((incident, n) => {
    const linked = incident.children.flatMap((c) => {
      const child = children.get(c.nhsNumber);
      return child ? [{ ...c, child, recorded: { given: c.given, family: c.family }, sentAt: at(c.sentDaysAgo, '07:30') }] : [];
    });
    const ref = `NSP-${addDays(asOf, -incident.daysAgo).replaceAll('-', '').slice(2)}-${String(n + 1).padStart(5, '0')}`;
    return linked.length === 0 ? [] : [{ ref, at: at(incident.daysAgo, incident.time), type: incident.type, place: incident.place, children: linked }];
  });
}

/** A name with one letter dropped, as a hurried officer might write it. */
function misspell(name: string, at: number): string {
  return name.slice(0, at) + name.slice(at + 1);
}
