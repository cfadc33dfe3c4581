import type { Page } from 'playwright-core';
import type { RunningWeb } from '../web';
import { browserTestsRun } from './web/browser';
import { rows, startWebHarness, type WebHarness } from './web/harness';

/**
 * The caseload page in a real browser, through the real gateway and the five agencies: sw.jones's own
 * children with their flags, a team manager's, a caseload of 520 cut to 500 (sw.ahmed's, topped up by the test
 * seed) and saying so, a refusal, and social care down.
 */
const FOUR_STATES = ['value', 'withheld', 'not-recorded', 'unavailable'];

/** Each child's row: NHS number → name and, per flag field, its state and visible text. */
async function caseloadRows(page: Page): Promise<Record<string, { name: string; href: string; cells: Record<string, { state: string; text: string }> }>> {
  const found = await page.$$eval('[data-testid="caseload"] tbody tr', (trs) =>
    trs.map((tr) => ({
      nhsNumber: tr.getAttribute('data-child') ?? '',
      name: (tr.querySelector('th a') as unknown as { innerText: string }).innerText.trim(),
      href: tr.querySelector('th a')?.getAttribute('href') ?? '',
      cells: [...tr.querySelectorAll('td')].map((td) => ({
        field: td.getAttribute('data-field') ?? '',
        state: td.getAttribute('data-state') ?? '',
        text: (td as unknown as { innerText: string }).innerText.trim(),
      })),
    })),
  );
  return Object.fromEntries(
    found.map((r) => [r.nhsNumber, { name: r.name, href: r.href, cells: Object.fromEntries(r.cells.map((c) => [c.field, { state: c.state, text: c.text }])) }]),
  );
}

(browserTestsRun() ? describe : describe.skip)('my caseload, in a browser', () => {
  let harness: WebHarness;
  let web: RunningWeb;
  beforeAll(async () => {
    harness = await startWebHarness({ children: 700, caseload: { worker: 'sw.ahmed', children: 520 } });
    ({ web } = harness);
  }, 180_000);
  afterAll(() => harness?.stop());

  it("lists sw.jones's children with the flags each agency holds, linked to their single view, without JavaScript", async () => {
    const page = await harness.newPage({ javaScript: false });
    await harness.signIn(page, 'sw.jones', 'Safeguarding');
    await page.getByRole('link', { name: 'My caseload' }).click();
    expect(new URL(page.url()).pathname).toBe('/caseload');
    const rows = await caseloadRows(page);
    expect(Object.keys(rows).sort()).toEqual(['9990000018', '9990000026']);
    expect(rows['9990000018']).toEqual({
      name: 'Amelia Hart',
      href: '/child/9990000018',
      cells: {
        'socialCare.status': { state: 'value', text: 'Yes' },
        'health.emergencyAttendances': { state: 'value', text: '2' },
        'education.attendanceRate': { state: 'value', text: 'Yes (84.5%)' },
        'education.exclusions': { state: 'value', text: 'None' },
        'housing.rentArrears': { state: 'value', text: '£482.50' },
        'housing.temporaryAccommodation': { state: 'value', text: 'No' },
      },
    });
    // Leo is a child in need, not yet at school: his education flags are not recorded rather than blank.
    expect(rows['9990000026']!.cells).toMatchObject({
      'socialCare.status': { state: 'value', text: 'No' },
      'health.emergencyAttendances': { state: 'value', text: 'None' },
      'education.attendanceRate': { state: 'not-recorded', text: 'Not recorded' },
      'education.exclusions': { state: 'not-recorded', text: 'Not recorded' },
    });
    await page.getByRole('link', { name: 'Amelia Hart' }).click();
    expect(new URL(page.url()).pathname).toBe('/child/9990000018');
    // axe-core runs in the page, so the accessibility check needs a page with JavaScript.
    const checked = await harness.newPage();
    await harness.signIn(checked, 'sw.jones', 'Safeguarding');
    await checked.goto(`${web.url}/caseload`);
    await harness.checkPage(checked, 'caseload');
  });

  it('shows 500 of a caseload of 520, each flag in one of the four states, and says that 20 are not shown', async () => {
    const page = await harness.newPage();
    await harness.signIn(page, 'sw.ahmed', 'Safeguarding');
    await page.goto(`${web.url}/caseload`);
    await expect(page.getByTestId('caseload-count').innerText()).resolves.toMatch(/^Showing 500 of 520 children allocated to you, by family name/);
    await expect(page.getByTestId('caseload-cut').innerText()).resolves.toMatch(
      /This list shows 500 of the 520 children allocated to you: 20 are not shown\. Use Find a child/,
    );
    const rows = await caseloadRows(page);
    expect(Object.keys(rows)).toHaveLength(500);
    const cells = Object.values(rows).flatMap((r) => Object.values(r.cells));
    expect(cells).toHaveLength(500 * 6);
    expect(cells.filter((c) => !FOUR_STATES.includes(c.state) || c.text === '')).toEqual([]);
    // The seed's population has every kind of flag somewhere among 500 children.
    expect(cells.filter((c) => c.state === 'unavailable')).toEqual([]);
    // A few fields are withheld (for example a restricted child's): each says which policy withheld it.
    expect(cells.filter((c) => c.state === 'withheld' && !/^Withheld\s+Policy \S+:/.test(c.text))).toEqual([]);
    expect(cells.filter((c) => c.state === 'value' && c.text.startsWith('Yes')).length).toBeGreaterThan(0);
    expect(Object.values(rows).every((r) => /^\/child\/\d{10}$/.test(r.href))).toBe(true);
    await harness.checkPage(page, 'caseload-500');
  }, 120_000);

  it("shows a team manager their team's children, sw.jones's among them, and no warning when none is cut", async () => {
    const page = await harness.newPage();
    await harness.signIn(page, 'tm.patel', 'Safeguarding');
    await page.getByRole('link', { name: 'My caseload' }).click();
    const count = await page.getByTestId('caseload-count').innerText();
    expect(count).toMatch(/^\d+ child(ren)? allocated to you and your team, by family name\.$/);
    const rows = await caseloadRows(page);
    expect(Object.keys(rows)).toEqual(expect.arrayContaining(['9990000018', '9990000026']));
    expect(Object.keys(rows)).toHaveLength(Number(/^\d+/.exec(count)![0]));
    // sw.ahmed's 520 are in another team.
    expect(Object.keys(rows).length).toBeLessThan(100);
    expect(rows['9990000018']!.cells['socialCare.status']).toEqual({ state: 'value', text: 'Yes' });
    expect(await page.locator('[data-testid="caseload-cut"]').count()).toBe(0);
    await harness.checkPage(page, 'caseload-team-manager');
  });

  it('offers no caseload to a school safeguarding lead, and shows the refusal when asked for it', async () => {
    const page = await harness.newPage();
    await harness.signIn(page, 'dsl.khan', 'Safeguarding');
    await expect(page.getByRole('link', { name: 'My caseload' }).count()).resolves.toBe(0);
    const response = await page.goto(`${web.url}/caseload`);
    expect(response!.status()).toBe(403);
    await expect(page.getByTestId('caseload-refused').innerText()).resolves.toContain('socialcare:caseload');
    expect(await page.locator('[data-testid="caseload"]').count()).toBe(0);
    await harness.checkPage(page, 'caseload-refused');
  });

  // Last: it stops social care for the rest of this file.
  it('says social care did not answer when it is down, rather than showing an empty caseload; the single view keeps the other agencies', async () => {
    await harness.federation.agencies.socialcare!.stop();
    const page = await harness.newPage();
    await harness.signIn(page, 'sw.jones', 'Safeguarding');
    await page.goto(`${web.url}/caseload`);
    await expect(page.getByTestId('caseload-unavailable').innerText()).resolves.toMatch(/Unavailable\s+— Children’s social care did not answer/);
    expect(await page.locator('[data-testid="caseload"], [data-testid="caseload-empty"]').count()).toBe(0);
    await harness.checkPage(page, 'caseload-social-care-down');
    await harness.openChild(page, '9990000018');
    const all = await rows(page);
    expect(all['socialCare.status']).toEqual({ state: 'unavailable', text: "Unavailable — Children's social care did not answer" });
    expect(all['health.registeredGp.practiceName']!.state).toBe('value');
    expect(all['education.attendanceRate']).toEqual({ state: 'value', text: '84.5%' });
    await harness.checkPage(page, 'child-social-care-down');
  });
});
