import type { AuditEntry } from '../shared';
import { startFederation, type Asking, type Federation } from './start-federation';

const AMELIA = '9990000018';
const LEO = '9990000026';
const ISLA = '9990000050';
const immunisations = (nhs: string) => `{ child(nhsNumber: "${nhs}") { health { immunisations { vaccine } } } }`;
const justification = 'Child brought in unconscious to resus; no history available';
const emergency: Asking = { persona: 'dr.lee', purpose: 'emergency-care' };
const glass: Asking = { ...emergency, breakGlass: justification };
const audit: Asking = { persona: 'cg.wright', purpose: 'audit' };
const reviews = `query ($s: BreakGlassReviewStatus) { breakGlassReviews(status: $s) { id callerSub callerName nhsNumber justification openedAt expiresAt overdue outcome note reviewedBy } }`;
const review = `mutation ($id: ID!, $o: BreakGlassOutcome!, $n: String!) { reviewBreakGlass(id: $id, outcome: $o, note: $n) { id outcome note reviewedBy } }`;

const sees = (body: { data?: any; errors?: unknown[] }) => Array.isArray(body.data?.child?.health?.immunisations);

describe('break-glass grants', () => {
  let federation: Federation;
  let replica: Awaited<ReturnType<Federation['anotherGateway']>>;
  beforeAll(async () => {
    federation = await startFederation({ children: 50 });
    replica = await federation.anotherGateway();
  }, 120_000);
  afterAll(() => federation?.stop());

  it(`opens a grant for that caller and that child, honoured by every gateway sharing the state (${process.env.REDIS_URL ? 'Redis' : 'in memory'})`, async () => {
    expect(sees((await federation.queryGateway(immunisations(AMELIA), {}, emergency)).body)).toBe(false);
    expect(sees((await federation.queryGateway(immunisations(AMELIA), {}, glass)).body)).toBe(true);
    // Without the header, on the other replica: the grant holds for Amelia, and only for her, and only for dr.lee.
    expect(sees((await replica.query(immunisations(AMELIA), {}, emergency)).body)).toBe(true);
    expect(sees((await replica.query(immunisations(LEO), {}, emergency)).body)).toBe(false);
    expect(sees((await replica.query(immunisations(AMELIA), {}, { persona: 'dsl.khan', purpose: 'emergency-care' })).body)).toBe(false);
    // Each use is audited by the agency as break-glass, with the justification.
    const uses = await federation.agencies.health!.query<{ entry: AuditEntry }>(
      "SELECT entry FROM service.audit_entry WHERE caller_sub = 'dr.lee' AND nhs_numbers @> ARRAY[$1] ORDER BY seq",
      [AMELIA],
    );
    // (The first request, without a grant, never reached health: the gateway withheld everything it asked of it.)
    expect(uses.map((u) => u.entry.breakGlass)).toEqual([justification, justification]);
    expect(uses[1]!.entry.basis.lawfulBasis).toMatch(/^break-glass/);
  });

  it('expires', async () => {
    const brief = await federation.anotherGateway({ breakGlassMinutes: 1 / 60 });
    expect(sees((await brief.query(immunisations(ISLA), {}, glass)).body)).toBe(true);
    expect(sees((await federation.queryGateway(immunisations(ISLA), {}, emergency)).body)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 2_200));
    expect(sees((await federation.queryGateway(immunisations(ISLA), {}, emergency)).body)).toBe(false);
  });

  it('is listed for the privacy officer to review; an inappropriate grant is revoked on every gateway', async () => {
    const { body } = await federation.queryGateway(reviews, {}, audit);
    expect(body.errors).toBeUndefined();
    const amelia = body.data.breakGlassReviews.find((g: { nhsNumber: string }) => g.nhsNumber === AMELIA);
    expect(amelia).toMatchObject({ callerSub: 'dr.lee', justification, overdue: false, outcome: null });
    expect(Date.parse(amelia.expiresAt) - Date.parse(amelia.openedAt)).toBe(60 * 60_000);
    // Nobody else may see the reviews.
    const other = await federation.queryGateway(reviews, {}, { persona: 'sw.jones', purpose: 'safeguarding' });
    expect(other.body.errors?.[0]?.extensions?.code).toBe('FORBIDDEN');

    const reviewed = await replica.query(review, { id: amelia.id, o: 'INAPPROPRIATE', n: 'No emergency recorded in the A&E notes at that time' }, audit);
    expect(reviewed.body.data.reviewBreakGlass).toMatchObject({ id: amelia.id, outcome: 'INAPPROPRIATE', reviewedBy: 'Chris Wright (cg.wright)' });
    expect(sees((await federation.queryGateway(immunisations(AMELIA), {}, emergency)).body)).toBe(false);
    expect(sees((await replica.query(immunisations(AMELIA), {}, emergency)).body)).toBe(false);
    const after = await federation.queryGateway(reviews, { s: 'REVIEWED' }, audit);
    expect(after.body.data.breakGlassReviews.map((g: { id: string }) => g.id)).toContain(amelia.id);
  });

  it('lists grants unreviewed after 72 hours as overdue', async () => {
    await federation.agencies.identity!
      .asOwner(`INSERT INTO service.break_glass_grant (id, caller_sub, caller_name, caller_org, caller_roles, nhs_number, justification, trace_id, opened_at, expires_at)
      VALUES ('old-grant', 'dr.lee', 'Dr Sam Lee', 'RNS01', 'emergency-clinician', '${LEO}', '${justification}', 'trace-old', now() - interval '73 hours', now() - interval '72 hours')`);
    const { body } = await federation.queryGateway(reviews, { s: 'OVERDUE' }, audit);
    expect(body.data.breakGlassReviews.map((g: { id: string; overdue: boolean }) => [g.id, g.overdue])).toEqual([['old-grant', true]]);
  });
});
