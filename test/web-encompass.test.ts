import { browserTestsRun } from './web/browser';
import { rows, startWebHarness, type WebHarness } from './web/harness';

/**
 * The police's part in a real browser, through the real gateway and every agency: a school's safeguarding lead's
 * Operation Encompass list before the school day, acknowledging a notification, and the police section of a
 * child's single view for a social worker and for a GP.
 */
(browserTestsRun() ? describe : describe.skip)('Operation Encompass, in a browser', () => {
  let harness: WebHarness;
  beforeAll(async () => {
    harness = await startWebHarness({ children: 300 });
  }, 180_000);
  afterAll(() => harness?.stop());

  it('gives dsl.khan the notifications waiting for her school, with where it happened withheld, and lets her acknowledge one', async () => {
    const page = await harness.newPage();
    await harness.signIn(page, 'dsl.khan', 'Safeguarding');
    await page.getByRole('link', { name: 'Encompass notifications' }).click();
    expect(new URL(page.url()).pathname).toBe('/encompass');
    const noah = page.locator('[data-notification]', { hasText: 'Noah Willams' });
    await noah.waitFor();
    expect(await noah.innerText()).toContain('Domestic abuse (verbal)');
    expect(await noah.locator('[data-field="place"]').innerText()).toMatch(/Withheld\s+Policy police:incident-place/);
    expect(await page.locator('[data-notification]', { hasText: 'Amelia Hart' }).count()).toBe(0);
    await harness.checkPage(page, 'encompass-waiting');

    await noah.getByRole('button', { name: /Acknowledge/ }).click();
    expect(await page.locator('.govuk-notification-banner').innerText()).toMatch(/acknowledged: the police can see that your school has it/);
    expect(await page.locator('[data-notification]', { hasText: 'Noah Willams' }).count()).toBe(0);
    expect(await page.getByTestId('encompass-empty').innerText()).toBe('No notifications are waiting for you.');

    await page.getByRole('link', { name: 'Show all from the last 30 days' }).click();
    const read = page.locator('[data-notification]');
    const texts = await read.allInnerTexts();
    expect(texts.find((t) => t.includes('Noah Willams'))).toMatch(/Acknowledged[\s\S]*Farah Khan \(100001\)/);
    expect(texts.find((t) => t.includes('Amelia Hart'))).toContain('I hid behind the sofa until it stopped.');
    await harness.checkPage(page, 'encompass-all');
  });

  it("shows a social worker the police section of Amelia's record, and a GP at work on her care only that it is withheld", async () => {
    const page = await harness.newPage();
    await harness.signIn(page, 'sw.jones', 'Safeguarding');
    await harness.openChild(page, '9990000018');
    const police = await rows(page, 'police');
    expect(police['police.matchConfidence']).toEqual({ state: 'value', text: expect.stringMatching(/^(1|100)/) });
    expect(police['police.encompassNotifications.0.notified']).toEqual({ state: 'value', text: 'Northshire Primary School (URN 100001)' });
    expect(police['police.encompassNotifications.0.incident.place']).toEqual({ state: 'value', text: '14 Mill Lane, Northshire, NS1 4AB' });
    expect(police['police.encompassNotifications.0.childsVoice']).toEqual({ state: 'value', text: 'I hid behind the sofa until it stopped.' });
    expect(police['police.encompassNotifications.0.acknowledgedBy']).toEqual({ state: 'value', text: 'Farah Khan (100001)' });
    await harness.checkPage(page, 'child-police-social-worker');

    const gp = await harness.newPage();
    await harness.signIn(gp, 'gp.smith', 'Direct care');
    await harness.openChild(gp, '9990000018');
    const withheld = await rows(gp, 'police');
    expect(withheld['police.matchConfidence']!.state).toBe('withheld');
    expect(withheld['police.matchConfidence']!.text).toContain('police:record');
    expect(JSON.stringify(withheld)).not.toContain('Mill Lane');
  });
});
