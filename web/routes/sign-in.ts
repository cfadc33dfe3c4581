import type { Express, Request } from 'express';
import type { SignInMethod } from '../create-web-app';
import type { SessionData, Sessions } from '../session';
import { formText, textOf } from '../form';

/** What a token says about who holds it, for the header: the gateway, not this app, decides what it allows. */
function userFrom(claims: Record<string, unknown>): NonNullable<SessionData['user']> {
  const roles = Array.isArray(claims.roles) ? claims.roles.map(String) : [];
  return { sub: textOf(claims.sub), name: textOf(claims.name ?? claims.sub), roles, org: textOf(claims.org), orgType: textOf(claims.orgType) };
}

function claimsOf(token: string): Record<string, unknown> {
  const payload = token.split('.')[1] ?? '';
  return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
}

const keepReturn = (req: Request): SessionData => (req.session.data.returnTo ? { returnTo: req.session.data.returnTo } : {});

export function signInRoutes(app: Express, deps: { signIn: SignInMethod; sessions: Sessions }): void {
  const { signIn, sessions } = deps;
  if (signIn.mode === 'development') {
    const personas = Object.entries(signIn.personas).map(([id, p]) => ({ id, ...p }));
    app.get('/sign-in', (_req, res) => res.render('sign-in.njk', { personas }));
    app.post('/sign-in', async (req, res, next) => {
      const persona = formText(req.body, 'persona');
      if (!(persona in signIn.personas)) return res.status(400).render('sign-in.njk', { personas, error: 'Select a demo persona to sign in as' });
      try {
        const token = await signIn.token(persona);
        sessions.renew(req, res, { ...keepReturn(req), token, user: userFrom(claimsOf(token)) });
        res.redirect(303, '/purpose');
      } catch (error) {
        next(error);
      }
    });
  } else {
    app.get('/sign-in', async (req, res, next) => {
      try {
        const { url, ...expected } = await signIn.client.begin();
        req.session.data.oidc = expected;
        res.redirect(303, url);
      } catch (error) {
        next(error);
      }
    });
    app.get('/sign-in/callback', async (req, res, next) => {
      const expected = req.session.data.oidc;
      const { code, state } = req.query as Record<string, unknown>;
      if (!expected || typeof code !== 'string' || state !== expected.state) {
        return res.status(400).render('error.njk', { title: 'Sign-in did not finish', message: 'Start signing in again.' });
      }
      try {
        const { accessToken, claims } = await signIn.client.finish(code, expected);
        sessions.renew(req, res, { ...keepReturn(req), token: accessToken, user: userFrom({ ...claimsOf(accessToken), ...claims }) });
        res.redirect(303, '/purpose');
      } catch (error) {
        next(error);
      }
    });
  }
  app.post('/sign-out', (req, res) => {
    sessions.destroy(req, res);
    res.redirect(303, '/sign-in');
  });
}
