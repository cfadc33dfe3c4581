import { randomBytes } from 'node:crypto';
import type { BrowserContext, Page } from 'playwright-core';
import { personas, demoPersona, signPersonaToken, type PersonaName } from '../../dev/personas';
import { createGatewayClient, listenWeb, type RunningWeb } from '../../web';
import { DEFAULT_TRUSTED_DOCUMENTS_DIR, loadTrustedDocumentManifests } from '../../gateway';
import { startFederation, type Federation, type FederationOptions } from '../start-federation';
import { accessibilityViolations, launchChromium, screenshot, type LaunchedBrowser } from './browser';

export interface WebHarness {
  federation: Federation;
  web: RunningWeb;
  /** A fresh browser session (its own cookies); axe's script is injected past the page's CSP. */
  newPage(options?: { javaScript?: boolean; bypassCSP?: boolean }): Promise<Page>;
  /** Saves the page's screenshot and checks it has no serious or critical accessibility violation. */
  checkPage(page: Page, name: string): Promise<void>;
  /** Signs in as a demo persona and chooses a purpose (its label, e.g. 'Safeguarding'). */
  signIn(page: Page, persona: PersonaName, purpose: string): Promise<void>;
  openChild(page: Page, nhsNumber: string): Promise<void>;
  stop(): Promise<void>;
}

/** Each row of a child's page under `scope` (a section's agency, or 'who-to-call'): field path → state and visible text. */
export async function rows(page: Page, scope?: string): Promise<Record<string, { state: string; text: string }>> {
  const prefix = !scope ? '' : scope === 'who-to-call' ? '[data-testid="who-to-call"] ' : `[data-section="${scope}"] `;
  const found = await page.$$eval(`${prefix}[data-field]`, (els) =>
    els.map((el) => ({
      field: el.getAttribute('data-field') ?? '',
      state: el.getAttribute('data-state') ?? '',
      text: (el.querySelector('dd') as unknown as { innerText: string }).innerText.trim(),
    })),
  );
  return Object.fromEntries(found.map((r) => [r.field, { state: r.state, text: r.text }]));
}

/** Chromium, the five agencies and the gateway over real HTTP, and the web app in front of them, for one test file. */
export async function startWebHarness(options: FederationOptions & { development?: boolean } = {}): Promise<WebHarness> {
  const contexts: BrowserContext[] = [];
  const chromium: LaunchedBrowser = await launchChromium();
  let federation: Federation | undefined;
  try {
    const { development, ...federationOptions } = options;
    // The web app sends only its registered operations, so its gateway enforces trusted documents as a deployed one
    // does; the development explorer's free-form operations need `allow`.
    const trustedDocuments = {
      mode: development ? ('allow' as const) : ('enforce' as const),
      manifests: loadTrustedDocumentManifests(DEFAULT_TRUSTED_DOCUMENTS_DIR),
    };
    federation = await startFederation({ children: 100, ...federationOptions, gateway: { trustedDocuments, ...federationOptions.gateway } });
    const keys = federation.keys;
    const web = await listenWeb(
      {
        gateway: createGatewayClient({ url: federation.gatewayUrl }),
        signIn: { mode: 'development', personas, token: (p) => signPersonaToken(p, keys.personas.privateJwk) },
        sessionSecret: randomBytes(32),
        development,
      },
      0,
    );
    const harness: WebHarness = {
      federation,
      web,
      async newPage(pageOptions = {}) {
        const context = await chromium.browser.newContext({
          bypassCSP: pageOptions.bypassCSP ?? true,
          javaScriptEnabled: pageOptions.javaScript ?? true,
          viewport: { width: 1100, height: 900 },
        });
        contexts.push(context);
        return context.newPage();
      },
      async checkPage(page, name) {
        await screenshot(page, name);
        expect(await accessibilityViolations(page)).toEqual([]);
      },
      async signIn(page, persona, purpose) {
        await page.goto(`${web.url}/sign-in`);
        await page.getByLabel(`${demoPersona(persona).name} (${persona})`, { exact: true }).check();
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.getByLabel(purpose, { exact: true }).check();
        await page.getByRole('button', { name: 'Continue' }).click();
        await page.waitForURL(/\/find$/);
      },
      async openChild(page, nhsNumber) {
        await page.goto(`${web.url}/find`);
        await page.getByLabel('NHS number').fill(nhsNumber);
        await page.getByTestId('find-by-nhs-number').click();
        await page.waitForURL(new RegExp(`/child/${nhsNumber.replace(/\s/g, '')}$`));
      },
      async stop() {
        for (const c of contexts) await c.close().catch(() => undefined);
        await chromium.close();
        await web.stop();
        await federation?.stop();
      },
    };
    return harness;
  } catch (error) {
    await chromium.close();
    await federation?.stop();
    throw error;
  }
}
