export { loadWebConfig, type WebConfig, type SignIn } from './config';
export { createWebApp, PURPOSE_LABELS, type WebAppOptions, type SignInMethod, type DemoPersona } from './create-web-app';
export { startWeb, listenWeb, signInFromConfig, type RunningWeb } from './start-web';
export { createGatewayClient, documentHash, GatewayUnreachable, type GatewayClient, type GatewayResult } from './gateway-client';
export { operations, WEB_CLIENT_NAME } from './operations';
export type { TypedDocumentString } from './operations/generated/graphql';
export { createFieldReader, type FieldState } from './field-state';
export { createOidcClient, type OidcClient } from './oidc';
