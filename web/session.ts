import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { NextFunction, Request, Response } from 'express';

/** What the app knows about a signed-in practitioner: their token, who it says they are, and why they are looking. */
export interface SessionData {
  /** The bearer token sent to the gateway on every call. */
  token?: string;
  user?: { sub: string; name: string; roles: string[]; org: string; orgType: string };
  /** The purpose of use chosen for this session. */
  purpose?: string;
  /** Where to go once signed in and a purpose is chosen. */
  returnTo?: string;
  /** A message for the next page: what the practitioner just did, and where to undo it. */
  flash?: { text: string; undoHref?: string; undoText?: string };
  /** The break-glass grant this practitioner declared, while it lasts. */
  breakGlass?: { nhsNumber: string; until: number };
  /** OIDC sign-in in flight: state, nonce and PKCE verifier. */
  oidc?: { state: string; nonce: string; verifier: string };
}

export interface Session {
  id: string;
  csrfToken: string;
  data: SessionData;
  expiresAt: number;
}

declare module 'express-serve-static-core' {
  interface Request {
    session: Session;
  }
}

export const SESSION_COOKIE = 'cv_session';
export const CSRF_FIELD = '_csrf';

export interface SessionOptions {
  /** The secret session cookies are signed with. */
  secret: Buffer;
  /** @default 60 */
  minutes?: number;
  /** Send the cookie only over HTTPS. @default true */
  secure?: boolean;
  /** @default Date.now */
  now?: () => number;
  /** The most sessions held; past it the least recently started is dropped. @default 10000 */
  maxSessions?: number;
}

/**
 * Sessions held in this process, named by a random id in a signed, HttpOnly, SameSite=Lax cookie;
 * the practitioner's token never leaves the server. Each session has its own CSRF token, which every
 * POST must carry in the `_csrf` field.
 */
export function createSessions(options: SessionOptions) {
  const sessions = new Map<string, Session>();
  const ttl = (options.minutes ?? 60) * 60_000;
  const now = options.now ?? Date.now;
  const maxSessions = options.maxSessions ?? 10_000;
  let swept = 0;
  const sweep = () => {
    if (now() - swept < 60_000 && sessions.size <= maxSessions) return;
    swept = now();
    for (const [id, s] of sessions) if (s.expiresAt <= now()) sessions.delete(id);
    // Past the limit, sessions nobody has signed in to go first, so a flood of anonymous requests signs nobody out.
    for (const signedIn of [false, true]) {
      for (const [id, s] of sessions) {
        if (sessions.size <= maxSessions) return;
        if (!!s.data.token === signedIn) sessions.delete(id);
      }
    }
  };
  const sign = (id: string) => createHmac('sha256', options.secret).update(id).digest('base64url');
  const fresh = (): Session => ({
    id: randomBytes(24).toString('base64url'),
    csrfToken: randomBytes(24).toString('base64url'),
    data: {},
    expiresAt: now() + ttl,
  });

  const fromCookie = (req: Request): Session | undefined => {
    const raw = cookieValue(req.headers.cookie, SESSION_COOKIE);
    const [id, mac] = raw?.split('.') ?? [];
    if (!id || !mac || !safeEqual(mac, sign(id))) return undefined;
    const session = sessions.get(id);
    if (!session || session.expiresAt <= now()) {
      sessions.delete(id);
      return undefined;
    }
    return session;
  };

  const setCookie = (res: Response, session: Session) => {
    res.cookie(SESSION_COOKIE, `${session.id}.${sign(session.id)}`, {
      httpOnly: true,
      sameSite: 'lax',
      secure: options.secure ?? true,
      path: '/',
      maxAge: ttl,
    });
  };

  return {
    // An arrow, not a method: it is handed to Express on its own.
    middleware: (req: Request, res: Response, next: NextFunction): void => {
      const session = fromCookie(req) ?? fresh();
      session.expiresAt = now() + ttl;
      sessions.set(session.id, session);
      req.session = session;
      setCookie(res, session);
      sweep();
      next();
    },
    /** A new session id and CSRF token (at sign-in, so a session id known before cannot be ridden), keeping `keep`. */
    renew(req: Request, res: Response, keep: SessionData = {}): void {
      sessions.delete(req.session.id);
      const session = { ...fresh(), data: keep };
      sessions.set(session.id, session);
      req.session = session;
      setCookie(res, session);
    },
    destroy(req: Request, res: Response): void {
      sessions.delete(req.session.id);
      res.clearCookie(SESSION_COOKIE, { path: '/' });
    },
    size: () => sessions.size,
  };
}
export type Sessions = ReturnType<typeof createSessions>;

/** Refuses a POST whose `_csrf` field (or, from a script, `X-CSRF-Token` header) is not this session's token. */
export function csrfProtection(req: Request, res: Response, next: NextFunction): void {
  if (req.method !== 'POST') return next();
  const sent = (req.body as Record<string, unknown> | undefined)?.[CSRF_FIELD] ?? req.get('x-csrf-token');
  if (typeof sent === 'string' && safeEqual(sent, req.session.csrfToken)) return next();
  res.status(403).render('error.njk', {
    title: 'Your form expired',
    message: 'The form was out of date or not sent by this service. Go back, reload the page and try again.',
  });
}

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return decodeURIComponent(rest.join('='));
  }
  return undefined;
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
