import { browserTestsRun } from './web/browser';
import { rows, startWebHarness, type WebHarness } from './web/harness';

/** Break-glass in the browser: dr.lee declares an emergency for Amelia, and the privacy officer reviews the grant. */
const AMELIA = '9990000018';
const JUSTIFICATION = 'Child brought in unconscious to resus; no history available';

(browserTestsRun() ? describe : describe.skip)('break-glass and its review, in a browser', () => {
  let harness: WebHarness;
  beforeAll(async () => {
    harness = await startWebHarness();
  }, 180_000);
  afterAll(() => harness?.stop());

  it('lets dr.lee declare an emergency with a written justification, shows the warning while it lasts, and the privacy officer revoke it', async () => {
    const doctor = await harness.newPage();
    await harness.signIn(doctor, 'dr.lee', 'Emergency care');
    await harness.openChild(doctor, AMELIA);
    expect((await rows(doctor, 'health'))['health.immunisations']).toMatchObject({ state: 'withheld' });
    await doctor.getByRole('link', { name: 'declare an emergency (break-glass)' }).click();
    await harness.checkPage(doctor, 'break-glass');
    await doctor.getByLabel('Why is this an emergency?').fill('Emergency now');
    await doctor.getByRole('button', { name: 'Declare emergency and open record' }).click();
    await expect(doctor.locator('#justification-error').innerText()).resolves.toContain('at least 20 letters or digits');
    await harness.checkPage(doctor, 'break-glass-error');
    await doctor.getByLabel('Why is this an emergency?').fill(JUSTIFICATION);
    await doctor.getByRole('button', { name: 'Declare emergency and open record' }).click();
    await doctor.waitForURL(new RegExp(`/child/${AMELIA}$`));
    await expect(doctor.getByTestId('break-glass-banner').innerText()).resolves.toContain(`Break-glass access to NHS number ${AMELIA} until`);
    expect((await rows(doctor, 'health'))['health.immunisations']).toMatchObject({ state: 'value', text: expect.stringContaining('MMR (1st dose)') });
    await harness.checkPage(doctor, 'child-dr.lee-break-glass');

    const officer = await harness.newPage();
    await harness.signIn(officer, 'cg.wright', 'Audit');
    await officer.getByRole('link', { name: 'Privacy officer' }).click();
    const grant = officer.getByTestId('grant').filter({ hasText: 'dr.lee' });
    await expect(grant.innerText()).resolves.toContain(JUSTIFICATION);
    await harness.checkPage(officer, 'privacy');
    await grant.getByRole('button', { name: 'Record review' }).click();
    await expect(officer.locator('.govuk-error-summary').innerText()).resolves.toMatch(
      /Select whether the emergency access was appropriate[\s\S]*Enter your finding/,
    );
    await harness.checkPage(officer, 'privacy-error');
    const again = officer.getByTestId('grant').filter({ hasText: 'dr.lee' });
    await again.getByLabel('Inappropriate: revoke it').check();
    await again.getByLabel('Your finding').fill('No emergency recorded in the A&E notes at that time');
    await again.getByRole('button', { name: 'Record review' }).click();
    await expect(officer.locator('.govuk-notification-banner--success').innerText()).resolves.toContain('Review recorded');
    await expect(officer.getByTestId('grant').filter({ hasText: 'dr.lee' }).count()).resolves.toBe(0);

    await doctor.reload();
    expect((await rows(doctor, 'health'))['health.immunisations']).toMatchObject({ state: 'withheld' });
  });

  it("shows the privacy officer a child's access timeline from every agency, break-glass marked", async () => {
    const officer = await harness.newPage();
    await harness.signIn(officer, 'cg.wright', 'Audit');
    await officer.goto(`${harness.web.url}/privacy`);
    await officer.getByLabel('NHS number').fill(AMELIA);
    await officer.getByRole('button', { name: 'Show timeline' }).click();
    const timeline = officer.getByTestId('timeline');
    const text = await timeline.innerText();
    expect(text).toContain('Dr Jordan Lee (dr.lee');
    expect(text).toContain(JUSTIFICATION);
    expect([...new Set(await timeline.locator('tbody tr td:nth-child(2)').allInnerTexts())]).toEqual(
      expect.arrayContaining(['identity', 'health', 'socialcare']),
    );
    expect(await timeline.locator('tbody tr', { hasText: 'Break-glass' }).count()).toBeGreaterThan(0);
    await harness.checkPage(officer, 'access-timeline');
  });

  it("withholds the privacy officer's page from a social worker, and offers no break-glass to them", async () => {
    const worker = await harness.newPage();
    await harness.signIn(worker, 'sw.jones', 'Safeguarding');
    await expect(worker.getByRole('link', { name: 'Privacy officer' }).count()).resolves.toBe(0);
    await worker.goto(`${harness.web.url}/privacy`);
    await expect(worker.getByTestId('privacy-refused').innerText()).resolves.toContain('identity:break-glass-review');
    const status = await worker.goto(`${harness.web.url}/child/${AMELIA}/break-glass`);
    expect(status?.status()).toBe(403);
  });

  it('shows the privacy officer who can see what, live from the policy files, and explains one decision rule by rule', async () => {
    const officer = await harness.newPage();
    await harness.signIn(officer, 'cg.wright', 'Audit');
    await officer.getByRole('link', { name: 'Who can see what' }).click();
    await officer.getByLabel('Role', { exact: true }).last().selectOption('gp');
    await officer.getByRole('button', { name: 'Show' }).click();
    const caseNotes = officer.getByTestId('matrix').locator('tr[data-field="ChildSocialCare.caseNotes"]');
    await expect(caseNotes.locator('td[data-purpose="direct-care"]').innerText()).resolves.toBe('Denied');
    const immunisations = officer.getByTestId('matrix').locator('tr[data-field="ChildHealth.immunisations"]');
    await expect(immunisations.locator('td[data-purpose="direct-care"]').innerText()).resolves.not.toBe('Denied');
    await harness.checkPage(officer, 'security-matrix');

    await officer.locator('#explainRole').selectOption('gp');
    await officer.locator('#purpose').selectOption('direct-care');
    await officer.getByLabel('Field').fill('Child.socialCare.caseNotes');
    await officer.getByRole('button', { name: 'Explain' }).click();
    const explanation = await officer.getByTestId('explanation').innerText();
    expect(explanation).toMatch(/^Denied/);
    // The header still shows the officer's own purpose of use, not the one being explained.
    await expect(officer.getByTestId('purpose').innerText()).resolves.toBe('Audit');
    expect(explanation).toContain('socialcare:case-notes: denied, the role gp may not read this field');
    expect(explanation).toMatch(/Child\.socialCare \(socialcare:status\): socialcare:status: allowed by rule \d+/);
    await harness.checkPage(officer, 'security-explain');

    await officer.getByLabel('Field').fill('Child.socialCare.nothing');
    await officer.getByRole('button', { name: 'Explain' }).click();
    await expect(officer.locator('#path-error').innerText()).resolves.toContain('ChildSocialCare has no field "nothing"');

    const worker = await harness.newPage();
    await harness.signIn(worker, 'sw.jones', 'Safeguarding');
    expect((await worker.goto(`${harness.web.url}/security`))?.status()).toBe(403);
  });
});
