import { randomBytes } from 'node:crypto';
import { listenWeb, type GatewayClient, type RunningWeb } from '../web';

/** The web app's own posture, without a browser or a gateway: a stand-in gateway answers or fails as told. */
const demo = { 'sw.jones': { name: 'Sam Jones', roles: ['social-worker'], org: 'NS001', orgType: 'local-authority' } };
const token = `x.${Buffer.from(JSON.stringify({ sub: 'sw.jones', name: 'Sam Jones', roles: ['social-worker'], org: 'NS001' })).toString('base64url')}.y`;

async function start(gateway: GatewayClient, development: boolean): Promise<RunningWeb> {
  return listenWeb({ gateway, signIn: { mode: 'development', personas: demo, token: async () => token }, sessionSecret: randomBytes(32), development }, 0);
}

/** A signed-in session's cookie, through the sign-in and purpose forms. */
async function signedIn(url: string): Promise<string> {
  const first = await fetch(`${url}/sign-in`);
  let cookie = first.headers.get('set-cookie')!.split(';')[0]!;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await first.text())![1]!;
  const post = (path: string, body: string) =>
    fetch(`${url}${path}`, { method: 'POST', redirect: 'manual', headers: { cookie, 'content-type': 'application/x-www-form-urlencoded' }, body });
  const signIn = await post('/sign-in', `_csrf=${csrf}&persona=sw.jones`);
  cookie = signIn.headers.getSetCookie().at(-1)!.split(';')[0]!;
  const page = await fetch(`${url}/purpose`, { headers: { cookie } });
  const renewed = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  expect(renewed).not.toBe(csrf);
  expect((await post('/purpose', `_csrf=${renewed}&purpose=safeguarding`)).status).toBe(303);
  return cookie;
}

const fault = async (): Promise<never> => {
  throw new Error('wiring fault at secret-place.ts:42');
};
const failing: GatewayClient = { request: fault, requestText: fault };

describe("the web app's security posture", () => {
  const running: RunningWeb[] = [];
  afterAll(async () => {
    for (const r of running) await r.stop();
  });

  it('signs its session cookie and sends it HttpOnly, SameSite=Lax and Secure outside development', async () => {
    const web = await start(failing, false);
    running.push(web);
    const cookie = (await fetch(`${web.url}/sign-in`)).headers.get('set-cookie')!;
    expect(cookie).toMatch(/^cv_session=[\w-]+\.[\w-]+;/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Lax');
    expect(cookie).toContain('Secure');
  });

  it('treats a session cookie with a forged signature as no session at all', async () => {
    const web = await start(failing, false);
    running.push(web);
    const cookie = await signedIn(web.url);
    expect((await fetch(`${web.url}/find`, { headers: { cookie }, redirect: 'manual' })).status).toBe(200);
    const forged = cookie.replace(/\.[\w-]+$/, '.AAAA');
    const refused = await fetch(`${web.url}/find`, { headers: { cookie: forged }, redirect: 'manual' });
    expect(refused.status).toBe(303);
    expect(refused.headers.get('location')).toBe('/sign-in');
  });

  it('shows no error detail outside development, and the stack in development', async () => {
    const production = await start(failing, false);
    const development = await start(failing, true);
    running.push(production, development);
    const page = async (web: RunningWeb) => await fetch(`${web.url}/child/9990000018`, { headers: { cookie: await signedIn(web.url) } });
    const hidden = await page(production);
    expect(hidden.status).toBe(500);
    const hiddenText = await hidden.text();
    expect(hiddenText).toContain('Sorry, there is a problem with the service');
    expect(hiddenText).not.toContain('secret-place');
    expect(await (await page(development)).text()).toContain('secret-place.ts:42');
  });

  it('serves the GraphQL explorer only in development', async () => {
    const production = await start(failing, false);
    const development = await start(failing, true);
    running.push(production, development);
    const explorer = async (web: RunningWeb) => (await fetch(`${web.url}/explorer`, { headers: { cookie: await signedIn(web.url) } })).status;
    expect(await explorer(production)).toBe(404);
    expect(await explorer(development)).toBe(200);
  });

  it('serves GOV.UK Frontend itself and loads nothing from another origin', async () => {
    const web = await start(failing, false);
    running.push(web);
    const html = await (await fetch(`${web.url}/sign-in`)).text();
    // What the page loads (scripts, styles, images, icons), as opposed to the links a person may follow.
    const loaded = [...html.matchAll(/<(?:script|link|img)\b[^>]*?(?:src|href)="([^"]+)"/g)].map((m) => m[1]!);
    expect(loaded.length).toBeGreaterThan(5);
    expect(loaded.filter((s) => !s.startsWith('/') || s.startsWith('//'))).toEqual([]);
    for (const asset of [
      '/assets/govuk/govuk-frontend.min.css',
      '/assets/govuk/govuk-frontend.min.js',
      '/assets/fonts/bold-b542beb274-v2.woff2',
      '/assets/app/init.js',
    ]) {
      expect([asset, (await fetch(`${web.url}${asset}`)).status]).toEqual([asset, 200]);
    }
    const csp = (await fetch(`${web.url}/sign-in`)).headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
  });
});
