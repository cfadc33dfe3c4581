import { randomBytes } from 'node:crypto';
import { dirname, join } from 'node:path';
import express, { type NextFunction, type Request, type Response } from 'express';
import nunjucks from 'nunjucks';
import { PURPOSES, type Logger } from '../shared';
import type { GatewayClient } from './gateway-client';
import type { OidcClient } from './oidc';
import { activeGrant, breakGlassRoutes } from './routes/break-glass';
import { caseloadRoutes } from './routes/caseload';
import { encompassRoutes } from './routes/encompass';
import { childRoutes } from './routes/child';
import { explorerRoutes } from './routes/explorer';
import { findRoutes } from './routes/find';
import { housingMatchRoutes } from './routes/housing-match';
import { privacyRoutes } from './routes/privacy';
import { securityRoutes } from './routes/security';
import { createPolicyViews, type PolicyViews } from './policy-views';
import { signInRoutes } from './routes/sign-in';
import { createSessions, csrfProtection, CSRF_FIELD } from './session';
import { formText } from './form';

/** A demo persona offered at the development sign-in. */
export interface DemoPersona {
  name: string;
  roles: readonly string[];
  org: string;
  orgType: string;
  team?: string;
}

/** How practitioners sign in: demo personas with development tokens, or an identity provider. */
export type SignInMethod =
  { mode: 'development'; personas: Record<string, DemoPersona>; token(persona: string): Promise<string> } | { mode: 'oidc'; client: OidcClient };

export interface WebAppOptions {
  gateway: GatewayClient;
  signIn: SignInMethod;
  /** Signs the session cookie. */
  sessionSecret: Buffer;
  /** @default 60 */
  sessionMinutes?: number;
  /** How long the gateway keeps a break-glass grant, for the warning banner. @default 60 */
  breakGlassMinutes?: number;
  /** Error details on pages, cookies sent over plain HTTP, and the GraphQL explorer at /explorer. @default false */
  development?: boolean;
  logger?: Pick<Logger, 'error' | 'info'>;
  /** The who-can-see-what matrix and explanations, from the policy files. @default createPolicyViews() */
  policyViews?: PolicyViews;
}

const GOVUK_DIST = join(dirname(require.resolve('govuk-frontend')), '..');

export const PURPOSE_LABELS: Record<string, string> = {
  'direct-care': 'Direct care',
  safeguarding: 'Safeguarding',
  'emergency-care': 'Emergency care',
  audit: 'Audit',
};

/** The practitioner's web app: server-rendered GOV.UK Frontend pages over the gateway, working without JavaScript. */
export function createWebApp(options: WebAppOptions): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  const views = nunjucks.configure([join(__dirname, 'views'), GOVUK_DIST], { autoescape: true, express: app, noCache: false });
  views.addGlobal('purposeLabels', PURPOSE_LABELS);
  app.set('view engine', 'njk');

  app.get('/health', (_req, res) => void res.json({ status: 'ok' }));
  const assets = { immutable: false, maxAge: '1h', index: false } as const;
  app.use('/assets', express.static(join(GOVUK_DIST, 'govuk', 'assets'), assets));
  app.use('/assets/govuk', express.static(join(GOVUK_DIST, 'govuk'), { ...assets, extensions: false }));
  app.use('/assets/app', express.static(join(__dirname, 'public'), assets));

  app.use(securityHeaders);
  const sessions = createSessions({ secret: options.sessionSecret, minutes: options.sessionMinutes, secure: !options.development });
  app.use(sessions.middleware);
  app.use(express.urlencoded({ extended: false, limit: '20kb', parameterLimit: 50 }));
  app.use(csrfProtection);
  app.use((req, res, next) => {
    Object.assign(res.locals, {
      csrfField: CSRF_FIELD,
      csrfToken: req.session.csrfToken,
      user: req.session.data.user,
      purpose: req.session.data.purpose,
      developmentSignIn: options.signIn.mode === 'development',
      currentPath: req.path,
      explorer: options.development === true,
    });
    const grant = activeGrant(req);
    if (grant) res.locals.breakGlass = { nhsNumber: grant.nhsNumber, untilText: new Date(grant.until).toISOString().slice(11, 16) + ' UTC' };
    next();
  });

  signInRoutes(app, { signIn: options.signIn, sessions });
  app.use(requireSignIn);
  app.get('/purpose', (req, res) => res.render('purpose.njk', { purposes: PURPOSES, chosen: req.session.data.purpose }));
  app.post('/purpose', (req, res) => {
    const purpose = formText(req.body, 'purpose');
    if (!(PURPOSES as readonly string[]).includes(purpose)) {
      return res.status(400).render('purpose.njk', { purposes: PURPOSES, error: 'Select why you are looking at children’s records' });
    }
    req.session.data.purpose = purpose;
    const returnTo = req.session.data.returnTo;
    delete req.session.data.returnTo;
    res.redirect(303, returnTo && returnTo.startsWith('/') && !returnTo.startsWith('//') ? returnTo : '/');
  });
  app.use(requirePurpose);
  app.get('/', (_req, res) => res.redirect(303, '/find'));
  findRoutes(app, { gateway: options.gateway });
  breakGlassRoutes(app, { gateway: options.gateway, minutes: options.breakGlassMinutes ?? 60 });
  housingMatchRoutes(app, { gateway: options.gateway });
  childRoutes(app, { gateway: options.gateway });
  caseloadRoutes(app, { gateway: options.gateway });
  encompassRoutes(app, { gateway: options.gateway });
  privacyRoutes(app, { gateway: options.gateway });
  securityRoutes(app, { views: options.policyViews ?? createPolicyViews() });
  if (options.development) explorerRoutes(app, { gateway: options.gateway });

  app.use((_req, res) => res.status(404).render('error.njk', { title: 'Page not found', message: 'If you typed the web address, check it is correct.' }));
  app.use((error: Error, _req: Request, res: Response, _next: NextFunction) => {
    options.logger?.error({ err: error }, 'page failed');
    res.status(500).render('error.njk', {
      title: 'Sorry, there is a problem with the service',
      message: 'Try again later.',
      detail: options.development ? error.stack : undefined,
    });
  });
  return app;
}

function securityHeaders(_req: Request, res: Response, next: NextFunction): void {
  const nonce = randomBytes(16).toString('base64');
  res.locals.cspNonce = nonce;
  res.set({
    'content-security-policy': `default-src 'self'; script-src 'self' 'nonce-${nonce}'; style-src 'self'; img-src 'self' data:; font-src 'self' data:; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'`,
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
    'cross-origin-opener-policy': 'same-origin',
  });
  next();
}

function requireSignIn(req: Request, res: Response, next: NextFunction): void {
  if (req.session.data.token) return next();
  if (req.method === 'GET') req.session.data.returnTo = req.originalUrl;
  res.redirect(303, '/sign-in');
}

function requirePurpose(req: Request, res: Response, next: NextFunction): void {
  if (req.session.data.purpose) return next();
  if (req.method === 'GET') req.session.data.returnTo = req.originalUrl;
  res.redirect(303, '/purpose');
}
