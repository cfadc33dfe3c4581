import { browserTestsRun, screenshot } from './web/browser';
import { startWebHarness, type WebHarness } from './web/harness';

/** The development explorer: GraphiQL from npm, served by the web app, querying the gateway as the signed-in practitioner. */
(browserTestsRun() ? describe : describe.skip)('the GraphQL explorer in development, in a browser', () => {
  let harness: WebHarness;
  beforeAll(async () => {
    harness = await startWebHarness({ development: true });
  }, 180_000);
  afterAll(() => harness?.stop());

  it("runs a query as the signed-in persona and purpose, under the page's content security policy, loading nothing from elsewhere", async () => {
    const page = await harness.newPage({ bypassCSP: false });
    const origins = new Set<string>();
    const blocked: string[] = [];
    page.on('request', (request) => origins.add(new URL(request.url()).origin));
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy|Refused/.test(message.text())) blocked.push(message.text());
    });
    await harness.signIn(page, 'gp.smith', 'Direct care');
    await page.getByRole('link', { name: 'Explorer (development)' }).click();
    await page.locator('.graphiql-execute-button').click();
    const result = page.locator('.result-window');
    await expect(result.getByText('"Amelia"').first().waitFor({ timeout: 15_000 })).resolves.toBeUndefined();
    const text = await result.innerText();
    expect(text).toContain('"status": "CHILD_PROTECTION_PLAN"');
    await screenshot(page, 'explorer');
    expect(blocked).toEqual([]);
    expect([...origins]).toEqual([harness.web.url]);
  });

  it("refuses a request to the explorer's endpoint without the session's CSRF token", async () => {
    const page = await harness.newPage();
    await harness.signIn(page, 'gp.smith', 'Direct care');
    const status = await page.evaluate(
      `fetch('/explorer/graphql', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ query: '{ __typename }' }) }).then((r) => r.status)`,
    );
    expect(status).toBe(403);
  });
});
