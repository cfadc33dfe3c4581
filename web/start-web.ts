import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createLogger, demoPersonas, DEV_PERSONA_KEY_PATH, loadOrCreateDevKeyPair, signPersonaToken } from '../shared';
import type { WebConfig } from './config';
import { createWebApp, type SignInMethod, type WebAppOptions } from './create-web-app';
import { createGatewayClient } from './gateway-client';
import { createOidcClient } from './oidc';

export interface RunningWeb {
  url: string;
  stop(): Promise<void>;
}

/** Listens with a built app on `port` (0 for any free port). */
export async function listenWeb(options: WebAppOptions, port: number, host = '127.0.0.1'): Promise<RunningWeb> {
  const app = createWebApp(options);
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(port, host, () => resolve(s));
    s.once('error', reject);
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 60_000;
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${bound}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Sign-in as configured: the development personas with the local persona key, or the identity provider. */
export async function signInFromConfig(config: WebConfig): Promise<SignInMethod> {
  if (config.signIn.mode === 'development') {
    const { privateJwk } = await loadOrCreateDevKeyPair(DEV_PERSONA_KEY_PATH, 'personas-dev');
    return { mode: 'development', personas: demoPersonas(), token: (persona) => signPersonaToken(persona, privateJwk) };
  }
  const clientSecret = readFileSync(config.signIn.clientSecretPath, 'utf8').trim();
  return { mode: 'oidc', client: createOidcClient({ ...config.signIn, clientSecret }) };
}

/** Starts the web app as configured: what `web/main.ts` and `npm start` run. */
export async function startWeb(config: WebConfig, overrides: { gatewayUrl?: string } = {}): Promise<RunningWeb> {
  const logger = createLogger('web', config.logLevel);
  const sessionSecret = config.sessionSecretPath ? readFileSync(config.sessionSecretPath) : randomBytes(32);
  if (sessionSecret.length < 32) throw new Error(`WEB_SESSION_SECRET_PATH="${config.sessionSecretPath}": the secret must be at least 32 bytes`);
  const running = await listenWeb(
    {
      gateway: createGatewayClient({ url: overrides.gatewayUrl ?? config.gatewayUrl, timeoutMs: config.gatewayTimeoutMs }),
      signIn: await signInFromConfig(config),
      sessionSecret,
      sessionMinutes: config.sessionMinutes,
      breakGlassMinutes: config.breakGlassMinutes,
      development: config.development,
      logger,
    },
    config.port,
    config.host,
  );
  logger.info({ url: running.url }, 'web app ready');
  return running;
}
