import { importJWK, SignJWT, type KeyLike } from 'jose';
import { DEV_AUDIENCE, DEV_ISSUER, demoPersona } from '../dev/personas';
import { startFederation, type Asking, type Federation } from './start-federation';

/**
 * The police, the sixth agency, joined through the registry and the kit: Operation Encompass notifications,
 * the school's list before the school day, acknowledgement, matching without NHS numbers, and the policy.
 */
const AMELIA = '9990000018',
  LEO = '9990000026',
  MAYA = '9990000034',
  NOAH = '9990000042';
const notification = `id childAsRecorded { given family } incident { reference type occurredAt place } childPresent childWhereabouts
  notified { __typename ... on NotifiedSchool { urn name } ... on NotifiedLocalAuthority { code } } sentAt acknowledgedAt acknowledgedBy`;
const policeOf = `query ($n: ID!) { child(nhsNumber: $n) { police { matchConfidence matchedOn nhsNumberStatus possibleMatches { reference }
  encompassNotifications { ${notification} } } } }`;
const forMySchool = `query ($since: String) { encompassNotificationsForMySchool(since: $since) { ${notification} } }`;
const acknowledge = `mutation ($id: ID!) { acknowledgeEncompassNotification(id: $id) { id acknowledgedAt acknowledgedBy } }`;
const dsl = { persona: 'dsl.khan', purpose: 'safeguarding' } as const;
const sw = { persona: 'sw.jones', purpose: 'safeguarding' } as const;

type Notification = {
  id: string;
  childAsRecorded: { family: string };
  incident: { place: string | null; type: string };
  notified: Record<string, string>;
  acknowledgedAt: string | null;
  acknowledgedBy: string | null;
};

describe('the police subgraph (Operation Encompass)', () => {
  let federation: Federation;
  /** A persona's claims under another organisation: another school's safeguarding lead, another force's officer. */
  let elsewhere: (persona: string, org: string) => Promise<Asking>;
  beforeAll(async () => {
    federation = await startFederation({ children: 300 });
    const key = (await importJWK(federation.keys.personas.privateJwk, 'ES256')) as KeyLike;
    elsewhere = async (persona, org) => {
      const token = await new SignJWT({ ...demoPersona(persona), sub: `${persona}.${org}`, org })
        .setProtectedHeader({ alg: 'ES256', ...(federation.keys.personas.privateJwk.kid ? { kid: federation.keys.personas.privateJwk.kid } : {}) })
        .setIssuer(DEV_ISSUER)
        .setAudience(DEV_AUDIENCE)
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(key);
      return { purpose: 'safeguarding', headers: { authorization: `Bearer ${token}` } };
    };
  }, 120_000);
  afterAll(() => federation?.stop());

  it("finds Noah though the force misspelt his family name, and shows his school's lead the notification not yet acknowledged", async () => {
    const { body } = await federation.queryGateway(policeOf, { n: NOAH }, dsl);
    expect(body.errors).toBeUndefined();
    const { police } = body.data.child;
    expect(police.nhsNumberStatus).toBe('02');
    expect(police.matchedOn).toEqual(expect.arrayContaining(['givenName', 'dateOfBirth', 'postcode']));
    expect(police.matchedOn.find((m: string) => m.startsWith('familyName'))).not.toBe('familyName');
    const [sent] = police.encompassNotifications as Notification[];
    expect(sent).toMatchObject({
      childAsRecorded: { family: 'Willams' },
      incident: { type: 'DOMESTIC_ABUSE_VERBAL', place: '27 Church Street, Northshire, NS1 6RD' },
      acknowledgedAt: null,
    });
    expect(sent!.notified).toEqual({ __typename: 'NotifiedSchool', urn: '100001', name: 'Northshire Primary School' });
  });

  it("gives a school's lead, before the school day, the notifications not yet acknowledged, and with `since` those already read", async () => {
    const { body } = await federation.queryGateway(forMySchool, {}, dsl);
    const unread = body.data.encompassNotificationsForMySchool as Notification[];
    expect(unread.map((n) => n.childAsRecorded.family)).toContain('Willams');
    expect(unread.every((n) => n.acknowledgedAt === null && n.notified.urn === '100001')).toBe(true);
    // The list alone cannot tell that a child is not restricted: where each incident happened is withheld, naming the field.
    expect(unread.every((n) => n.incident.place === null)).toBe(true);
    expect(body.errors?.filter((e) => e.extensions?.code === 'FORBIDDEN').map((e) => e.extensions?.policy)).toEqual(unread.map(() => 'police:incident-place'));
    const since = new Date(Date.now() - 30 * 86_400_000).toISOString();
    const { body: month } = await federation.queryGateway(forMySchool, { since }, dsl);
    const amelia = (month.data.encompassNotificationsForMySchool as Notification[]).find((n) => n.childAsRecorded.family === 'Hart');
    expect(amelia).toMatchObject({ acknowledgedBy: 'Farah Khan (100001)', notified: { urn: '100001' } });
    const { body: bad } = await federation.queryGateway(forMySchool, { since: 'yesterday' }, dsl);
    expect(bad.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
  });

  it("records each notification the list disclosed in the force's audit log, under its own reference when it holds no NHS number", async () => {
    const before = await federation.agencies.police!.query<{ n: number }>('SELECT count(*)::int AS n FROM service.audit_log');
    await federation.queryGateway(forMySchool, {}, dsl);
    const [row] = await federation.agencies.police!.query<{ entry: string; nhs_numbers: string[] }>(
      'SELECT entry, nhs_numbers FROM service.audit_log ORDER BY seq DESC LIMIT 1',
    );
    const [after] = await federation.agencies.police!.query<{ n: number }>('SELECT count(*)::int AS n FROM service.audit_log');
    expect(after!.n).toBe(before[0]!.n + 1);
    const entry = JSON.parse(row!.entry) as { caller: { sub: string }; children: [string | null, string, number][] };
    expect(entry.caller.sub).toBe('dsl.khan');
    expect(entry.children.length).toBeGreaterThan(0);
    expect(entry.children.every(([nhs, reference]) => nhs === null && /^NSP-P\d{7}$/.test(reference))).toBe(true);
    expect(row!.nhs_numbers).toEqual([]);
  });

  it("records an acknowledgement once, for the notified school's lead alone", async () => {
    const { body } = await federation.queryGateway(forMySchool, {}, dsl);
    const noahs = (body.data.encompassNotificationsForMySchool as Notification[]).find((n) => n.childAsRecorded.family === 'Willams')!;
    const first = await federation.queryGateway(acknowledge, { id: noahs.id }, dsl);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.acknowledgeEncompassNotification).toMatchObject({ id: noahs.id, acknowledgedBy: 'Farah Khan (100001)' });
    const again = await federation.queryGateway(acknowledge, { id: noahs.id }, dsl);
    expect(again.body.data.acknowledgeEncompassNotification.acknowledgedAt).toBe(first.body.data.acknowledgeEncompassNotification.acknowledgedAt);
    const { body: after } = await federation.queryGateway(forMySchool, {}, dsl);
    expect((after.data.encompassNotificationsForMySchool as Notification[]).map((n) => n.id)).not.toContain(noahs.id);

    const otherSchool = await federation.queryGateway(acknowledge, { id: noahs.id }, await elsewhere('dsl.khan', '100023'));
    expect(otherSchool.body.errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN', policy: 'police:acknowledge' } });
    const housing = await federation.queryGateway(acknowledge, { id: noahs.id }, { persona: 'ho.evans', purpose: 'safeguarding' });
    expect(housing.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');
    const unknown = await federation.queryGateway(acknowledge, { id: 'ENC-NOT-A-NOTIFICATION' }, dsl);
    expect(unknown.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'id' });
  });

  it('tells the local authority about Leo, who is not at school', async () => {
    const { body } = await federation.queryGateway(policeOf, { n: LEO }, sw);
    expect(body.errors).toBeUndefined();
    expect(body.data.child.police.encompassNotifications[0].notified).toEqual({ __typename: 'NotifiedLocalAuthority', code: 'NS001' });
  });

  it("never shows a housing officer anything of the police, shows a GP only for safeguarding and never the child's own words", async () => {
    for (const as of [
      { persona: 'ho.evans', purpose: 'safeguarding' },
      { persona: 'ho.evans', purpose: 'direct-care' },
      { persona: 'gp.smith', purpose: 'direct-care' },
    ] as const) {
      const { body } = await federation.queryGateway(policeOf, { n: AMELIA }, as);
      expect(body.data?.child?.police ?? null).toBeNull();
      expect(JSON.stringify(body)).not.toContain('Mill Lane');
    }
    const voice = `query ($n: ID!) { child(nhsNumber: $n) { police { encompassNotifications { childPresent childsVoice } } } }`;
    const gp = await federation.queryGateway(voice, { n: AMELIA }, { persona: 'gp.smith', purpose: 'safeguarding' });
    expect(gp.body.data.child.police.encompassNotifications[0]).toEqual({ childPresent: true, childsVoice: null });
    expect(gp.body.errors?.map((e) => e.extensions?.policy)).toContain('police:childs-voice');
    const social = await federation.queryGateway(voice, { n: AMELIA }, sw);
    expect(social.body.data.child.police.encompassNotifications[0].childsVoice).toBe('I hid behind the sofa until it stopped.');
  });

  it('withholds everything the force holds about Maya, a restricted child, and where her incident happened, from everyone', async () => {
    for (const as of [sw, { persona: 'pc.morgan', purpose: 'safeguarding' }, { persona: 'tm.patel', purpose: 'safeguarding' }] as const) {
      const { body } = await federation.queryGateway(policeOf, { n: MAYA }, as);
      expect(body.data?.child?.police ?? null).toBeNull();
      expect(JSON.stringify(body)).not.toContain('Quarry Road');
    }
    const { body } = await federation.queryGateway(forMySchool, { since: '2000-01-01T00:00:00Z' }, await elsewhere('dsl.khan', '100023'));
    const mayas = (body.data.encompassNotificationsForMySchool as Notification[]).find((n) => n.childAsRecorded.family === 'Okafor');
    expect(mayas?.incident.place).toBeNull();
    expect(JSON.stringify(body)).not.toContain('Quarry Road');
  });

  it("lets an officer read their own force's record and confirm its match, and refuses another force's officer", async () => {
    const officer = { persona: 'pc.morgan', purpose: 'safeguarding' } as const;
    const { body } = await federation.queryGateway(policeOf, { n: AMELIA }, officer);
    expect(body.errors).toBeUndefined();
    const reference = (
      await federation.agencies.police!.query<{ person_ref: string }>(
        "SELECT person_ref FROM records.person WHERE given_name = 'Amelia' AND family_name = 'Hart'",
      )
    )[0]!.person_ref;
    const confirm = `mutation ($n: ID!, $r: ID!) { confirmPoliceMatch(nhsNumber: $n, reference: $r) { decision decidedBy } }`;
    const other = await federation.queryGateway(confirm, { n: AMELIA, r: reference }, await elsewhere('pc.morgan', 'XSP'));
    expect(other.body.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', policy: 'police:match-decision' });
    const own = await federation.queryGateway(confirm, { n: AMELIA, r: reference }, officer);
    expect(own.body.data.confirmPoliceMatch).toEqual({ decision: 'CONFIRMED', decidedBy: 'PC Jamie Morgan (NSP)' });
    const { body: confirmed } = await federation.queryGateway(policeOf, { n: AMELIA }, sw);
    expect(confirmed.data.child.police).toMatchObject({ nhsNumberStatus: '01', matchedOn: ['nhsNumber'] });
    // Another force's officer reads nothing of this force's record.
    const { body: outsider } = await federation.queryGateway(policeOf, { n: AMELIA }, await elsewhere('pc.morgan', 'XSP'));
    expect(outsider.data?.child?.police ?? null).toBeNull();
  });

  it("is in the child's access log, assembled by identity with no police-specific code", async () => {
    const log = `{ child(nhsNumber: "${AMELIA}") { accessLog { police { callerSub disclosed } entries { agency callerSub } } } }`;
    const { body } = await federation.queryGateway(log, {}, { persona: 'cg.wright', purpose: 'audit' });
    expect(body.errors).toBeUndefined();
    const { police, entries } = body.data.child.accessLog;
    expect(police.map((e: { callerSub: string }) => e.callerSub)).toEqual(expect.arrayContaining(['sw.jones', 'pc.morgan']));
    expect(entries.filter((e: { agency: string }) => e.agency === 'police').length).toBe(police.length);
  });
});
