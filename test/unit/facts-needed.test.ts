import fc from 'fast-check';
import { AGENCY_NAMES, loadAgencies } from '../../registry';
import { personas, demoPersona } from '../../dev/personas';
import {
  compileGroupsForRecord,
  decideGroupsForRecord,
  factsNeeded,
  ORG_TYPES,
  PURPOSES,
  ROLES,
  readPolicyMap,
  recordLevelCoordinates,
  type RecordFacts,
} from '../../shared';

const agencies = loadAgencies();

/**
 * An agency may leave out the record facts a decision cannot turn on (housing
 * does not load the match for a caller none of whose rules asks for the
 * landlord relationship). That is safe only if, for every caller and every
 * record, the decision and its stated reason are the same without them.
 */
describe('the record facts a decision needs', () => {
  const RELATIONSHIPS = ['allocated-worker', 'team-of-allocated-worker', 'registered-practice', 'childs-school', 'landlord'];
  const cases = agencies.flatMap(({ definition }) => {
    const own = (name: string) => name.startsWith(`${definition.name}:`);
    const map = readPolicyMap(definition.typeDefs);
    return recordLevelCoordinates(map, definition.policies).map((coordinate) => ({
      agency: definition.name,
      coordinate,
      policies: definition.policies,
      groups: map
        .get(coordinate)!
        .map((group) => group.filter(own))
        .filter((group) => group.length > 0),
    }));
  });

  // Every combination of roles and organisation type (not only the demo personas'), purpose and break-glass.
  const anyCaller = fc
    .tuple(fc.record({ roles: fc.subarray([...ROLES], { minLength: 1 }), orgType: fc.constantFrom(...ORG_TYPES) }), fc.constantFrom(...PURPOSES), fc.boolean())
    .map(([attributes, purpose, breakGlass]) => ({
      caller: { ...demoPersona('sw.jones'), ...attributes },
      purpose,
      traceId: 'facts-needed',
      ...(breakGlass ? { breakGlass: 'Unconscious child in the emergency department' } : {}),
    }));

  it('covers every agency that has record-level fields', () => {
    expect(new Set(cases.map((c) => c.agency))).toEqual(new Set(AGENCY_NAMES));
  });

  it('gives the same decision, with the same reason, when the facts it does not need are left at their defaults', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        anyCaller,
        fc.subarray(RELATIONSHIPS),
        fc.boolean(),
        fc.boolean(),
        ({ policies, groups }, authority, relationships, consented, restricted) => {
          const facts: RecordFacts = { relationships: new Set(relationships), consented, restricted };
          const needed = factsNeeded(policies, groups, authority);
          const reduced: RecordFacts = {
            relationships: needed.relationships ? facts.relationships : new Set(),
            consented: needed.consent ? consented : false,
            restricted: needed.restricted ? restricted : false,
          };
          expect(decideGroupsForRecord(policies, groups, authority, reduced)).toEqual(decideGroupsForRecord(policies, groups, authority, facts));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('decides each record the same way, reason included, once prepared for the caller', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...cases),
        anyCaller,
        // Several records for the one prepared decision, as a caseload gives it.
        fc.array(fc.record({ relationships: fc.subarray(RELATIONSHIPS), consented: fc.boolean(), restricted: fc.boolean() }), { minLength: 1, maxLength: 5 }),
        ({ policies, groups }, authority, records) => {
          const decide = compileGroupsForRecord(policies, groups, authority);
          for (const record of records) {
            const facts: RecordFacts = { ...record, relationships: new Set(record.relationships) };
            expect(decide(facts)).toEqual(decideGroupsForRecord(policies, groups, authority, facts));
          }
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('asks for the landlord relationship from a housing officer only, and for the restriction from everyone housing may show', () => {
    const housing = cases.find((c) => c.coordinate === 'Child.housing')!;
    const as = (persona: keyof typeof personas, purpose: (typeof PURPOSES)[number]) =>
      factsNeeded(housing.policies, housing.groups, { caller: demoPersona(persona), purpose, traceId: 't' });
    expect(as('ho.evans', 'direct-care')).toEqual({ relationships: true, consent: false, restricted: true });
    expect(as('sw.jones', 'safeguarding')).toEqual({ relationships: false, consent: false, restricted: true });
    expect(as('gp.smith', 'direct-care')).toEqual({ relationships: false, consent: false, restricted: true });
  });
});
