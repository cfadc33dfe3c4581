import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { loadWebConfig } from '../web';

const root = join(__dirname, '..');

/** Runs web/main.ts with only `env` (and PATH), as a deployment would; answers its exit code and stderr. */
function runWebMain(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--import', 'tsx', 'web/main.ts'],
      { cwd: root, env: { PATH: process.env.PATH ?? '', WEB_PORT: '0', LOG_LEVEL: 'silent', ...env }, timeout: 30_000 },
      (error, _stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : null) : 0, stderr });
      },
    );
  });
}

const OIDC = {
  OIDC_ISSUER: 'https://login.example',
  OIDC_CLIENT_ID: 'child-view-web',
  OIDC_CLIENT_SECRET_PATH: '/run/keys/web-oidc-client.secret',
  OIDC_REDIRECT_URL: 'https://web.example/sign-in/callback',
};

describe("the web app's configuration", () => {
  it('refuses to start without an identity provider, naming each missing setting', async () => {
    expect(() => loadWebConfig({})).toThrow(/OIDC_ISSUER="", OIDC_CLIENT_ID="", OIDC_CLIENT_SECRET_PATH="", OIDC_REDIRECT_URL=""/);
    const { code, stderr } = await runWebMain({ NODE_ENV: 'production' });
    expect(code).toBe(1);
    expect(stderr).toContain('Failed to start');
    expect(stderr).toContain('OIDC_ISSUER');
  });

  it('names only the settings that are missing', () => {
    const { OIDC_CLIENT_ID: _, ...withoutClient } = OIDC;
    expect(() => loadWebConfig(withoutClient)).toThrow(/: the web app signs practitioners in through an identity provider \(OIDC\): set OIDC_CLIENT_ID \(/);
  });

  it('refuses the demo personas outside development, even when asked for them', async () => {
    expect(() => loadWebConfig({ WEB_SIGN_IN: 'development' })).toThrow(
      /WEB_SIGN_IN="development": demo personas sign in only with NODE_ENV=development \(NODE_ENV is "production"\)/,
    );
    const { code, stderr } = await runWebMain({ WEB_SIGN_IN: 'development', NODE_ENV: 'production' });
    expect(code).toBe(1);
    expect(stderr).toContain('WEB_SIGN_IN="development"');
  });

  it("offers the demo personas in development, and reads an identity provider's settings otherwise", () => {
    expect(loadWebConfig({ WEB_SIGN_IN: 'development', NODE_ENV: 'development' }).signIn).toEqual({ mode: 'development' });
    expect(loadWebConfig(OIDC).signIn).toEqual({
      mode: 'oidc',
      issuer: 'https://login.example',
      clientId: 'child-view-web',
      clientSecretPath: '/run/keys/web-oidc-client.secret',
      redirectUrl: 'https://web.example/sign-in/callback',
      scope: 'openid profile',
    });
  });

  it('rejects a bad value with a message naming the variable and the value', () => {
    expect(() => loadWebConfig({ ...OIDC, GATEWAY_URL: 'gateway:4000' })).toThrow(/GATEWAY_URL="gateway:4000": expected a URL/);
    expect(() => loadWebConfig({ ...OIDC, WEB_SIGN_IN: 'password' })).toThrow(/WEB_SIGN_IN="password": expected oidc or development/);
  });
});
