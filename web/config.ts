import { z } from 'zod';
import { ConfigError, env, isDevelopment, readEnv, type Env } from '../shared';

/** Where the practitioner signs in: a real identity provider (OIDC), or, in development only, a demo persona. */
export type SignIn = { mode: 'development' } | { mode: 'oidc'; issuer: string; clientId: string; clientSecretPath: string; redirectUrl: string; scope: string };

export interface WebConfig {
  /** `WEB_PORT` @default 3000 */
  port: number;
  /** `WEB_HOST` @default '127.0.0.1' */
  host: string;
  /** `GATEWAY_URL`: the graph this app is a client of. @default 'http://127.0.0.1:4000/graphql' */
  gatewayUrl: string;
  /** `GATEWAY_TIMEOUT_MS`: how long one call to the gateway may take. @default 30000 */
  gatewayTimeoutMs: number;
  /**
   * `WEB_SIGN_IN`: `oidc` (the default) needs `OIDC_ISSUER`, `OIDC_CLIENT_ID`, `OIDC_CLIENT_SECRET_PATH` and
   * `OIDC_REDIRECT_URL` (and takes `OIDC_SCOPE`, default `openid profile`); `development` (only with
   * NODE_ENV=development) offers the demo personas instead.
   * @default 'oidc'
   */
  signIn: SignIn;
  /** `WEB_SESSION_SECRET_PATH`: a file holding the secret session cookies are signed with; unset → a random one per process. */
  sessionSecretPath?: string;
  /** `WEB_SESSION_MINUTES`: how long a session lasts without use. @default 60 */
  sessionMinutes: number;
  /** `BREAK_GLASS_MINUTES`: how long the gateway keeps a break-glass grant (set it as the gateway's), for the warning banner. @default 60 */
  breakGlassMinutes: number;
  /** `LOG_LEVEL` @default 'info' */
  logLevel: string;
  /** `NODE_ENV=development`: error details on pages, cookies without `Secure`. */
  development: boolean;
}

const OIDC_VARIABLES = ['OIDC_ISSUER', 'OIDC_CLIENT_ID', 'OIDC_CLIENT_SECRET_PATH', 'OIDC_REDIRECT_URL'] as const;

export function loadWebConfig(source: Env = process.env): WebConfig {
  const values = readEnv(
    {
      WEB_PORT: env.port(3000),
      WEB_HOST: z.string().default('127.0.0.1'),
      GATEWAY_URL: env.url(['http', 'https']).default('http://127.0.0.1:4000/graphql'),
      GATEWAY_TIMEOUT_MS: env.positiveInt(30_000),
      WEB_SIGN_IN: z.enum(['oidc', 'development'], { error: 'expected oidc or development' }).default('oidc'),
      OIDC_ISSUER: env.url(['https', 'http']).optional(),
      OIDC_CLIENT_ID: z.string().optional(),
      OIDC_CLIENT_SECRET_PATH: z.string().optional(),
      OIDC_REDIRECT_URL: env.url(['https', 'http']).optional(),
      OIDC_SCOPE: z.string().default('openid profile'),
      WEB_SESSION_SECRET_PATH: z.string().optional(),
      WEB_SESSION_MINUTES: env.positiveInt(60),
      BREAK_GLASS_MINUTES: env.positiveInt(60),
      LOG_LEVEL: env.logLevel(),
      NODE_ENV: env.nodeEnv(),
    },
    source,
  );
  const development = isDevelopment(values.NODE_ENV);
  return {
    port: values.WEB_PORT,
    host: values.WEB_HOST,
    gatewayUrl: values.GATEWAY_URL,
    gatewayTimeoutMs: values.GATEWAY_TIMEOUT_MS,
    signIn: signInFrom(values, development),
    sessionSecretPath: values.WEB_SESSION_SECRET_PATH,
    sessionMinutes: values.WEB_SESSION_MINUTES,
    breakGlassMinutes: values.BREAK_GLASS_MINUTES,
    logLevel: values.LOG_LEVEL,
    development,
  };
}

function signInFrom(values: Record<string, string | number | boolean | undefined>, development: boolean): SignIn {
  if (values.WEB_SIGN_IN === 'development') {
    if (!development) {
      throw new ConfigError(
        `Invalid configuration:\n  WEB_SIGN_IN="development": demo personas sign in only with NODE_ENV=development (NODE_ENV is "${String(values.NODE_ENV)}"); configure an identity provider with ${OIDC_VARIABLES.join(', ')}`,
      );
    }
    return { mode: 'development' };
  }
  const missing = OIDC_VARIABLES.filter((name) => !values[name]);
  if (missing.length > 0) {
    throw new ConfigError(
      `Invalid configuration:\n  ${missing.map((name) => `${name}=""`).join(', ')}: the web app signs practitioners in through an identity provider (OIDC): set ${missing.join(', ')} (or, in development, WEB_SIGN_IN=development with NODE_ENV=development)`,
    );
  }
  return {
    mode: 'oidc',
    issuer: values.OIDC_ISSUER as string,
    clientId: values.OIDC_CLIENT_ID as string,
    clientSecretPath: values.OIDC_CLIENT_SECRET_PATH as string,
    redirectUrl: values.OIDC_REDIRECT_URL as string,
    scope: values.OIDC_SCOPE as string,
  };
}
