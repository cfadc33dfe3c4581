import type { Page } from 'playwright-core';
import type { PersonaName } from '../dev/personas';
import type { RunningWeb } from '../web';
import { browserTestsRun } from './web/browser';
import { rows, startWebHarness, type WebHarness } from './web/harness';
import type { Federation } from './start-federation';

/**
 * The practitioners' web app in a real browser (Debian's Chromium, driven by playwright-core), through
 * the real gateway and the five agencies over HTTP. axe-core checks every page.
 */
const AMELIA = '9990000018';

(browserTestsRun() ? describe : describe.skip)("the practitioners' web app, in a browser", () => {
  let harness: WebHarness;
  let web: RunningWeb;
  let federation: Federation;
  beforeAll(async () => {
    harness = await startWebHarness();
    ({ web, federation } = harness);
  }, 180_000);
  afterAll(() => harness?.stop());

  const newPage = (options?: { javaScript?: boolean }) => harness.newPage(options);
  const checkPage = (page: Page, name: string) => harness.checkPage(page, name);
  const signIn = (page: Page, persona: PersonaName, purpose: string) => harness.signIn(page, persona, purpose);
  const openChild = (page: Page, nhsNumber: string) => harness.openChild(page, nhsNumber);

  it('offers the demo personas only behind a loud development-only warning, and checks its forms', async () => {
    const page = await newPage();
    await page.goto(`${web.url}/find`);
    expect(new URL(page.url()).pathname).toBe('/sign-in');
    await expect(page.locator('.cv-dev-banner').innerText()).resolves.toMatch(/^DEVELOPMENT ONLY/);
    await checkPage(page, 'sign-in');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.locator('.govuk-error-summary').innerText()).resolves.toContain('Select a demo persona');
    await checkPage(page, 'sign-in-error');
  });

  it('asks for the purpose of use, shows it in the header on every page, and lets it be changed', async () => {
    const page = await newPage();
    await page.goto(`${web.url}/sign-in`);
    await page.getByLabel(/\(sw\.jones\)/).check();
    await page.getByRole('button', { name: 'Sign in' }).click();
    expect(new URL(page.url()).pathname).toBe('/purpose');
    await checkPage(page, 'purpose');
    await page.getByLabel('Safeguarding', { exact: true }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByTestId('purpose').innerText()).resolves.toBe('Safeguarding');
    await page.getByRole('link', { name: 'Change purpose' }).click();
    await page.getByLabel('Direct care', { exact: true }).check();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByTestId('purpose').innerText()).resolves.toBe('Direct care');
    await expect(page.getByTestId('session-bar').innerText()).resolves.toContain('Sam Jones');
  });

  it('refuses an NHS number that fails the Modulus 11 check, with an error summary and an inline error', async () => {
    const page = await newPage();
    await signIn(page, 'sw.jones', 'Safeguarding');
    await page.getByLabel('NHS number').fill('999 000 0019');
    await page.getByTestId('find-by-nhs-number').click();
    await expect(page.locator('.govuk-error-summary').innerText()).resolves.toContain('fails its check digit');
    await expect(page.locator('#nhsNumber-error').innerText()).resolves.toContain('fails its check digit');
    await expect(page.title()).resolves.toMatch(/^Error: /);
    await checkPage(page, 'find-error');
    await page.locator('.govuk-error-summary a').click();
    await expect(page.evaluate('document.activeElement && document.activeElement.id')).resolves.toBe('nhsNumber');
  });

  it('finds Noah Williams by a fuzzy search despite a misspelt family name, with a match score, and not by an exact one', async () => {
    const page = await newPage();
    await signIn(page, 'sw.jones', 'Safeguarding');
    const search = async (fuzzy: boolean) => {
      await page.getByLabel('Given name').fill('Noah');
      await page.getByLabel('Family name').fill('Wiliams');
      await page.locator('#dob-day').fill('7');
      await page.locator('#dob-month').fill('3');
      await page.locator('#dob-year').fill('2017');
      await page.getByLabel(/Fuzzy/).setChecked(fuzzy);
      await page.getByTestId('search').click();
    };
    await search(false);
    await expect(page.getByTestId('no-results').isVisible()).resolves.toBe(true);
    await search(true);
    const row = page.getByTestId('results').locator('tbody tr').first();
    await expect(row.innerText()).resolves.toContain('Noah Williams');
    const score = Number((await row.getByTestId('score').innerText()).replace('%', ''));
    expect(score).toBeGreaterThan(50);
    expect(score).toBeLessThan(100);
    await checkPage(page, 'find-results');
  });

  it("shows sw.jones, Amelia's allocated social worker, who to call first and her case notes", async () => {
    const page = await newPage();
    await signIn(page, 'sw.jones', 'Safeguarding');
    await openChild(page, '999 000 0018');
    await expect(page.locator('h1').innerText()).resolves.toBe('Amelia Hart');
    const who = await rows(page, 'who-to-call');
    expect(who['socialCare.allocatedWorker.name']).toEqual({ state: 'value', text: 'Sam Jones' });
    expect(who['education.school.designatedSafeguardingLead.phone']).toEqual({ state: 'value', text: '01632 960201' });
    const social = await rows(page, 'socialcare');
    expect(social['socialCare.caseNotes']!.state).toBe('value');
    expect(social['socialCare.caseNotes']!.text).toContain('Core group meeting held');
    expect(social['socialCare.status']).toEqual({ state: 'value', text: 'Child protection plan' });
    const health = await rows(page, 'health');
    expect(health['health.emergencyAttendances']!.text).toContain('Head injury');
    expect(health['health.healthVisitor.name']).toEqual({ state: 'not-recorded', text: 'Not recorded' });
    const housing = await rows(page, 'housing');
    // What the match rests on is housing's to say; the page shows it as housing says it.
    expect(housing['housing.matchConfidence']).toEqual({ state: 'value', text: expect.stringMatching(/^\d{1,3}(\.\d)?%$/) });
    expect(housing['housing.matchedOn']).toEqual({ state: 'value', text: expect.stringMatching(/^givenName, familyName, dateOfBirth\b/) });
    // The who-to-call panel comes before every agency's section.
    const order = await page.$$eval('h2', (hs) => hs.map((h) => h.textContent?.trim()));
    expect(order.slice(0, 3)).toEqual(['Who to call', 'Demographics', 'Health']);
    await checkPage(page, 'child-sw.jones');
  });

  it('shows gp.smith the health record but withholds case notes and pupil data, naming the policy and reason', async () => {
    const page = await newPage();
    await signIn(page, 'gp.smith', 'Direct care');
    await openChild(page, AMELIA);
    const all = await rows(page);
    expect(all['health.immunisations']!.state).toBe('value');
    expect(all['socialCare.caseNotes']).toEqual({ state: 'withheld', text: 'Withheld\nPolicy socialcare:case-notes: the role gp may not read this field' });
    expect(all['education.attendanceRate']).toMatchObject({ state: 'withheld', text: expect.stringContaining('education:pupil') });
    expect(all['socialCare.allocatedWorker.phone']).toEqual({ state: 'value', text: '01632 960301' });
    await checkPage(page, 'child-gp.smith');
  });

  it('shows dsl.khan attendance but withholds clinical health data and the housing record', async () => {
    const page = await newPage();
    await signIn(page, 'dsl.khan', 'Safeguarding');
    await openChild(page, AMELIA);
    const all = await rows(page);
    expect(all['education.attendanceRate']).toEqual({ state: 'value', text: '84.5%' });
    expect(all['health.immunisations']).toMatchObject({ state: 'withheld', text: expect.stringContaining('health:clinical') });
    expect(all['health.registeredGp.practiceName']).toEqual({ state: 'value', text: 'Riverside Surgery' });
    const housing = Object.values(await rows(page, 'housing'));
    expect(housing.length).toBeGreaterThan(5);
    expect(housing.every((r) => r.state === 'withheld' && r.text.includes('housing:record'))).toBe(true);
    await checkPage(page, 'child-dsl.khan');
  });

  it('shows ho.evans, for direct care, the housing match and its confidence but withholds social care, education and clinical data', async () => {
    const page = await newPage();
    await signIn(page, 'ho.evans', 'Direct care');
    await openChild(page, AMELIA);
    const all = await rows(page);
    expect(all['housing.matchConfidence']).toEqual({ state: 'value', text: expect.stringMatching(/^\d{1,3}(\.\d)?%$/) });
    expect(all['housing.tenancy.landlord']).toEqual({ state: 'value', text: 'Northshire Homes' });
    expect(all['socialCare.localAuthority.dutyPhone']).toMatchObject({ state: 'withheld', text: expect.stringContaining('only for safeguarding') });
    expect(all['health.conditions']).toMatchObject({ state: 'withheld', text: expect.stringContaining('health:conditions') });
    const education = Object.values(await rows(page, 'education'));
    expect(education.every((r) => r.state === 'withheld' && r.text.includes('education:record'))).toBe(true);
    await checkPage(page, 'child-ho.evans');
  });

  it('works without JavaScript: signing in and opening a child are plain forms and links', async () => {
    const page = await newPage({ javaScript: false });
    await signIn(page, 'sw.jones', 'Safeguarding');
    await openChild(page, AMELIA);
    await expect(page.locator('h1').innerText()).resolves.toBe('Amelia Hart');
  });

  it("refuses a form posted without this session's CSRF token", async () => {
    const page = await newPage();
    await signIn(page, 'sw.jones', 'Safeguarding');
    const status = await page.evaluate(
      `fetch('/purpose', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'purpose=audit&_csrf=forged' }).then((r) => r.status)`,
    );
    expect(status).toBe(403);
    await page.reload();
    await expect(page.getByTestId('purpose').innerText()).resolves.toBe('Safeguarding');
  });

  it("marks only the health section (and health's who-to-call rows) Unavailable when health is down", async () => {
    await federation.agencies.health!.stop();
    const page = await newPage();
    await signIn(page, 'sw.jones', 'Safeguarding');
    await openChild(page, AMELIA);
    const health = Object.values(await rows(page, 'health'));
    expect(health.length).toBe(7);
    expect(health.every((r) => r.state === 'unavailable' && r.text === 'Unavailable — Health did not answer')).toBe(true);
    const all = await rows(page);
    expect(all['health.registeredGp.practiceName']!.state).toBe('unavailable');
    expect(all['socialCare.caseNotes']!.state).toBe('value');
    expect(all['education.attendanceRate']).toEqual({ state: 'value', text: '84.5%' });
    expect(all['dateOfBirth']).toEqual({ state: 'value', text: '2019-05-14' });
    await checkPage(page, 'child-health-down');
  });
});
