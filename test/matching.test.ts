import { DEFAULT_THRESHOLDS } from '../shared';
import { startFederation, type Federation } from './start-federation';

const AMELIA = '9990000018';
const LEO = '9990000026';
const MAYA = '9990000034';
const NOAH = '9990000042';
const housingOf = `query ($n: ID!) { child(nhsNumber: $n) { housing { matchConfidence matchedOn nhsNumberStatus tenancy { address } rentArrears possibleMatches { reference confidence matchedOn } } } }`;
const search = `query ($given: String, $family: String, $dob: String, $gender: Gender, $postcode: String, $fuzzy: Boolean) {
  searchChildren(given: $given, family: $family, dateOfBirth: $dob, gender: $gender, postcode: $postcode, fuzzy: $fuzzy) {
    score matchedOn child { nhsNumber name { given family } address { postcode } } } }`;
const decide = (kind: 'confirmHousingMatch' | 'rejectHousingMatch') =>
  `mutation ($n: ID!, $r: ID!) { ${kind}(nhsNumber: $n, reference: $r) { nhsNumber reference decision decidedBy decidedAt } }`;
const sw = { persona: 'sw.jones', purpose: 'safeguarding' } as const;

describe('identity matching through the gateway', () => {
  let federation: Federation;
  let demo: Record<string, { dateOfBirth: string; address: { postcode: string } | null }>;
  beforeAll(async () => {
    federation = await startFederation({ children: 300 });
    const { body } = await federation.queryGateway(
      `{ children(nhsNumbers: ["${AMELIA}", "${LEO}", "${MAYA}", "${NOAH}"]) { nhsNumber dateOfBirth address { postcode } } }`,
      {},
      sw,
    );
    demo = Object.fromEntries(body.data.children.map((c: { nhsNumber: string }) => [c.nhsNumber, c]));
  }, 120_000);
  afterAll(() => federation?.stop());

  describe('practitioner search', () => {
    it('refuses a fuzzy search without one of the combinations, naming them', async () => {
      const { body } = await federation.queryGateway(search, { given: 'Noah', dob: demo[NOAH]!.dateOfBirth, fuzzy: true }, sw);
      expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      expect(body.errors?.[0]?.message).toContain(
        'given + family + dateOfBirth; family + dateOfBirth + gender + postcode; given + dateOfBirth + gender + postcode',
      );
      const exact = await federation.queryGateway(search, { given: 'Noah', dob: demo[NOAH]!.dateOfBirth }, sw);
      expect(exact.body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    });

    it('finds Noah by a misspelt name with day and month swapped, scored below 1 and explained', async () => {
      const [y, m, d] = demo[NOAH]!.dateOfBirth.split('-');
      const { body } = await federation.queryGateway(search, { given: 'Noah', family: 'Wiliams', dob: `${y}-${d}-${m}`, fuzzy: true }, sw);
      expect(body.errors).toBeUndefined();
      const [best] = body.data.searchChildren;
      expect(best.child.nhsNumber).toBe(NOAH);
      expect(best.score).toBeLessThan(1);
      expect(best.matchedOn).toEqual(expect.arrayContaining(['givenName', 'dateOfBirth:dayMonthSwapped']));
      expect(body.data.searchChildren.length).toBeLessThanOrEqual(10);
      // The same search in exact mode finds nobody.
      const exact = await federation.queryGateway(search, { given: 'Noah', family: 'Wiliams', dob: `${y}-${d}-${m}` }, sw);
      expect(exact.body.data.searchChildren).toEqual([]);
    });

    it('finds a child at a previous address, and exact matches score 1 first', async () => {
      const { body } = await federation.queryGateway(
        search,
        { family: 'Hart', dob: demo[AMELIA]!.dateOfBirth, gender: 'FEMALE', postcode: 'NS2 7QT', fuzzy: true },
        sw,
      );
      const amelia = body.data.searchChildren.find((m: { child: { nhsNumber: string } }) => m.child.nhsNumber === AMELIA);
      expect(amelia.matchedOn).toContain('postcode:previousAddress');
      const exact = await federation.queryGateway(search, { given: 'Amelia', family: 'Hart', dob: demo[AMELIA]!.dateOfBirth, fuzzy: true }, sw);
      expect(exact.body.data.searchChildren[0]).toMatchObject({ score: 1, child: { nhsNumber: AMELIA } });
    });

    it('never returns Maya to a search by postcode, and returns her without an address otherwise', async () => {
      const { body: byName } = await federation.queryGateway(search, { given: 'Maya', family: 'Okafor', dob: '', fuzzy: true }, sw);
      expect(byName.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
      const maya = await federation.queryGateway(`{ child(nhsNumber: "${MAYA}") { dateOfBirth } }`, {}, sw);
      const dob = maya.body.data.child.dateOfBirth;
      const found = await federation.queryGateway(search, { given: 'Maya', family: 'Okafor', dob, fuzzy: true }, sw);
      const match = found.body.data.searchChildren.find((m: { child: { nhsNumber: string } }) => m.child.nhsNumber === MAYA);
      expect(match.child.address).toBeNull();
      expect(JSON.stringify(found.body)).not.toContain('NS3 2LP');
      for (const fuzzy of [true, false]) {
        const byPostcode = await federation.queryGateway(search, { given: 'Maya', family: 'Okafor', dob, gender: 'FEMALE', postcode: 'NS3 2LP', fuzzy }, sw);
        expect(byPostcode.body.errors).toBeUndefined();
        expect(byPostcode.body.data.searchChildren.map((m: { child: { nhsNumber: string } }) => m.child.nhsNumber)).not.toContain(MAYA);
      }
    });

    it('records every search with its parameters and who asked', async () => {
      const before = await federation.agencies.identity!.query<{ n: number }>('SELECT count(*)::int AS n FROM service.search_log');
      await federation.queryGateway(
        search,
        { given: 'Leo', family: 'Hart', dob: demo[LEO]!.dateOfBirth, fuzzy: true },
        { persona: 'gp.smith', purpose: 'direct-care' },
      );
      const rows = await federation.agencies.identity!.query<{
        caller_sub: string;
        purpose: string;
        fuzzy: boolean;
        parameters: Record<string, unknown>;
        results: number;
      }>('SELECT caller_sub, purpose, fuzzy, parameters, results FROM service.search_log ORDER BY id DESC LIMIT 1');
      const [after] = await federation.agencies.identity!.query<{ n: number }>('SELECT count(*)::int AS n FROM service.search_log');
      expect(after!.n).toBe(before[0]!.n + 1);
      expect(rows[0]).toMatchObject({
        caller_sub: 'gp.smith',
        purpose: 'direct-care',
        fuzzy: true,
        parameters: { given: 'Leo', family: 'Hart', dateOfBirth: demo[LEO]!.dateOfBirth },
        results: 1,
      });
    });
  });

  describe('housing matching', () => {
    it('matches Amelia and Leo to the same household, each on their own record', async () => {
      const amelia = (await federation.queryGateway(housingOf, { n: AMELIA }, sw)).body.data.child.housing;
      const leo = (await federation.queryGateway(housingOf, { n: LEO }, sw)).body.data.child.housing;
      for (const h of [amelia, leo]) {
        expect(h).toMatchObject({ matchConfidence: 1, nhsNumberStatus: '02', tenancy: { address: '14 Mill Lane, Northshire, NS1 4AB' }, possibleMatches: [] });
        expect(h.matchedOn).toEqual(['givenName', 'familyName', 'dateOfBirth', 'postcode', 'addressLine', 'town']);
      }
    });

    it("keeps Maya's address out of every response: her household is withheld, with no error from the gateway's own fetch", async () => {
      const { body } = await federation.queryGateway(
        `{ child(nhsNumber: "${MAYA}") { name { given } housing { matchConfidence possibleMatches { reference } } } }`,
        {},
        { persona: 'sw.ahmed', purpose: 'safeguarding' },
      );
      expect(body.data.child).toEqual({ name: { given: 'Maya' }, housing: null });
      // The one error is housing's own decision about the field asked for, not identity's refusal of the address.
      expect(body.errors).toEqual([
        expect.objectContaining({
          path: ['child', 'housing'],
          extensions: expect.objectContaining({ code: 'FORBIDDEN', policy: 'housing:record', reason: expect.stringContaining('unrestricted') }),
        }),
      ]);
      expect(JSON.stringify(body)).not.toContain('NS3 2LP');
    });

    it("withholds a restricted child's household even once a person has confirmed it, from everyone", async () => {
      // A household member of Northshire Homes outside the demo households, confirmed as Maya by a social worker.
      const [member] = await federation.agencies.housing!.query<{ member_ref: string; line1: string }>(
        `SELECT m.member_ref, p.line1 FROM records.household_member m JOIN records.tenancy t ON t.tenancy_ref = m.tenancy_ref AND t.end_date IS NULL
           JOIN records.property p ON p.property_ref = t.property_ref
          WHERE t.landlord_id = 'NH' AND p.postcode NOT IN ('NS1 4AB', 'NS1 6RD') AND m.member_ref NOT IN (SELECT reference FROM service.nhs_cross_reference)
          ORDER BY m.member_ref LIMIT 1`,
      );
      expect(member).toBeDefined();
      const confirmed = await federation.queryGateway(decide('confirmHousingMatch'), { n: MAYA, r: member!.member_ref }, sw);
      expect(confirmed.body.data.confirmHousingMatch).toMatchObject({ decision: 'CONFIRMED' });
      try {
        for (const as of [sw, { persona: 'gp.smith', purpose: 'direct-care' }, { persona: 'ho.evans', purpose: 'direct-care' }] as const) {
          const { body } = await federation.queryGateway(housingOf, { n: MAYA }, as);
          expect({ as: as.persona, housing: body.data.child.housing }).toEqual({ as: as.persona, housing: null });
          expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[['child', 'housing'], 'FORBIDDEN']]);
          expect(JSON.stringify(body)).not.toContain(member!.line1);
        }
      } finally {
        await federation.queryGateway(decide('rejectHousingMatch'), { n: MAYA, r: member!.member_ref }, sw);
      }
    });

    it('proposes Noah only as a possible match; a housing officer confirms it, and then it is exact; a rejection is never proposed again', async () => {
      const before = (await federation.queryGateway(housingOf, { n: NOAH }, sw)).body.data.child.housing;
      expect(before).toMatchObject({ matchConfidence: null, matchedOn: null, tenancy: null, rentArrears: null });
      expect(before.possibleMatches).toHaveLength(1);
      const [proposal] = before.possibleMatches;
      expect(proposal.confidence).toBeGreaterThanOrEqual(DEFAULT_THRESHOLDS.review);
      expect(proposal.confidence).toBeLessThan(DEFAULT_THRESHOLDS.match);
      expect(proposal.matchedOn).toEqual(expect.arrayContaining(['givenName', 'dateOfBirth:dayMonthSwapped', 'postcode']));
      expect(proposal.matchedOn.some((m: string) => m.startsWith('familyName:'))).toBe(true);

      // A GP may see the proposal but not decide on it.
      const gp = await federation.queryGateway(
        decide('confirmHousingMatch'),
        { n: NOAH, r: proposal.reference },
        { persona: 'gp.smith', purpose: 'direct-care' },
      );
      expect(gp.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
      const unknown = await federation.queryGateway(
        decide('confirmHousingMatch'),
        { n: NOAH, r: 'TEN9999999-C9' },
        { persona: 'ho.evans', purpose: 'direct-care' },
      );
      expect(unknown.body.errors?.[0]).toMatchObject({ extensions: { code: 'BAD_USER_INPUT' } });

      const confirmed = await federation.queryGateway(
        decide('confirmHousingMatch'),
        { n: NOAH, r: proposal.reference },
        { persona: 'ho.evans', purpose: 'direct-care' },
      );
      expect(confirmed.body.errors).toBeUndefined();
      expect(confirmed.body.data.confirmHousingMatch).toMatchObject({
        nhsNumber: NOAH,
        reference: proposal.reference,
        decision: 'CONFIRMED',
        decidedBy: 'Owen Evans (NH)',
      });
      const [row] = await federation.agencies.housing!.query<{ confirmed_by: string }>(
        'SELECT confirmed_by FROM service.nhs_cross_reference WHERE nhs_number = $1',
        [NOAH],
      );
      expect(row?.confirmed_by).toBe('ho.evans');
      // The decision is in housing's audit log too, as a mutation about Noah, with housing's reference.
      const [audit] = await federation.agencies.housing!.query<{
        entry: { caller: { sub: string }; operation: { type: string }; children: { nhsNumber: string; localReference: string }[] };
      }>('SELECT entry FROM service.audit_entry ORDER BY seq DESC LIMIT 1');
      expect(audit!.entry).toMatchObject({
        caller: { sub: 'ho.evans' },
        operation: { type: 'mutation' },
        children: [{ nhsNumber: NOAH, localReference: proposal.reference }],
      });

      const after = (await federation.queryGateway(housingOf, { n: NOAH }, sw)).body.data.child.housing;
      expect(after).toMatchObject({
        matchConfidence: 1,
        matchedOn: ['nhsNumber'],
        nhsNumberStatus: '01',
        tenancy: { address: '27 Church Street, Northshire, NS1 6RD' },
        possibleMatches: [],
      });

      const rejected = await federation.queryGateway(decide('rejectHousingMatch'), { n: NOAH, r: proposal.reference }, sw);
      expect(rejected.body.data.rejectHousingMatch).toMatchObject({ decision: 'REJECTED', decidedBy: 'Sam Jones (NS001)' });
      const gone = (await federation.queryGateway(housingOf, { n: NOAH }, sw)).body.data.child.housing;
      expect(gone).toBeNull();
    });

    it('still costs one matching statement for a whole caseload (and one audit append)', async () => {
      federation.resetCounts();
      const { body } = await federation.queryGateway(
        `query ($n: [ID!]!) { children(nhsNumbers: $n) { housing { matchConfidence } } }`,
        { n: [AMELIA, LEO, MAYA, NOAH] },
        sw,
      );
      expect(body.data.children).toHaveLength(4);
      // The match, and the audit log's append.
      expect(federation.agencies.housing!.statements()).toBe(2);
    });
  });
});
