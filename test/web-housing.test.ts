import { browserTestsRun } from './web/browser';
import { rows, startWebHarness, type WebHarness } from './web/harness';

/** Housing's possible match for Noah, confirmed and then rejected by a social worker, each with a confirmation step. */
const NOAH = '9990000042';

(browserTestsRun() ? describe : describe.skip)('a possible housing match, in a browser', () => {
  let harness: WebHarness;
  beforeAll(async () => {
    harness = await startWebHarness();
  }, 180_000);
  afterAll(() => harness?.stop());

  it('offers no decision to a GP, who sees only that housing has nothing confirmed', async () => {
    const gp = await harness.newPage();
    await harness.signIn(gp, 'gp.smith', 'Direct care');
    await harness.openChild(gp, NOAH);
    await expect(gp.getByTestId('possible-matches').count()).resolves.toBe(0);
    expect((await rows(gp, 'housing'))['housing.matchConfidence']).toEqual({ state: 'not-recorded', text: 'Not recorded' });
  });

  it("lets sw.jones confirm Noah's possible match after a confirmation step, then undo it by rejecting it", async () => {
    const page = await harness.newPage();
    await harness.signIn(page, 'sw.jones', 'Safeguarding');
    await harness.openChild(page, NOAH);
    const before = await rows(page, 'housing');
    expect(before['housing.possibleMatches']!.state).toBe('value');
    expect(before['housing.tenancy.address']).toEqual({ state: 'not-recorded', text: 'Not recorded' });
    await page.getByTestId('possible-matches').getByRole('link').first().click();
    await expect(page.locator('h1').innerText()).resolves.toBe('Review a possible housing match');
    const basis = await page.getByTestId('match-basis').innerText();
    // A possible match is never certain: its confidence reads below 100%.
    expect(basis).toMatch(/with \d{1,2}\.\d% confidence, agreeing on givenName, .*dateOfBirth:dayMonthSwapped/);
    await harness.checkPage(page, 'housing-match');
    await page.getByRole('button', { name: 'Record decision' }).click();
    await expect(page.locator('.govuk-error-summary').innerText()).resolves.toContain('Select whether this household member is the child');
    await harness.checkPage(page, 'housing-match-error');

    await page.getByLabel('Yes, confirm the match').check();
    await page.getByRole('button', { name: 'Record decision' }).click();
    await page.waitForURL(new RegExp(`/child/${NOAH}$`));
    await expect(page.locator('.govuk-notification-banner--success').innerText()).resolves.toContain('Match confirmed');
    const confirmed = await rows(page, 'housing');
    expect(confirmed['housing.matchConfidence']).toEqual({ state: 'value', text: '100%' });
    expect(confirmed['housing.matchedOn']).toEqual({ state: 'value', text: 'nhsNumber' });
    expect(confirmed['housing.tenancy.address']).toEqual({ state: 'value', text: '27 Church Street, Northshire, NS1 6RD' });
    await harness.checkPage(page, 'child-housing-confirmed');

    await page.getByRole('link', { name: 'Undo: this is not the child' }).click();
    await page.getByLabel('No, this is not the child').check();
    await page.getByRole('button', { name: 'Record decision' }).click();
    await expect(page.locator('.govuk-notification-banner--success').innerText()).resolves.toContain('Match rejected');
    const rejected = Object.values(await rows(page, 'housing'));
    expect(rejected.every((r) => r.state === 'not-recorded')).toBe(true);
    await expect(page.getByTestId('possible-matches').count()).resolves.toBe(0);
  });
});
