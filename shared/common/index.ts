// What is common to every room and service: errors, configuration, logging, who is asking (authority), the NHS
// number, checks on a caller's arguments, and the development keys and personas. Imports no other room.
export {
  agencyUnavailable,
  badRequest,
  badUserInput,
  boundMessage,
  createErrorFormatter,
  ErrorCode,
  formattedError,
  graphqlError,
  unauthenticated,
} from './errors';
export { ConfigError, env, isDevelopment, readEnv, type Env } from './config';
export { createLogger, type Logger } from './logger';
export {
  authoritySchema,
  BREAK_GLASS_MAX_LENGTH,
  BREAK_GLASS_MIN_LENGTH,
  callerSchema,
  ORG_TYPES,
  PURPOSES,
  ROLES,
  type Authority,
  type OrgType,
  type Purpose,
  type Role,
} from './authority';
export { isValidNhsNumber, nhsCheckDigit, nhsNumberProblem, normaliseNhsNumber } from './nhs-number';
export {
  hasUnprintable,
  isIsoDateTime,
  quoteInput,
  validateDateArg,
  validateDateTimeArg,
  validateIdentifierArg,
  validateNameArg,
  validatePostcodeArg,
  validateTextArg,
} from './input-validation';
export {
  createKeyPair,
  DEV_GATEWAY_KEY_PATH,
  GATEWAY_KEY_ALGORITHM,
  type KeyAlgorithm,
  DEV_KEYS_DIR,
  DEV_PERSONA_KEY_PATH,
  loadOrCreateDevKeyPair,
  readJson,
  type KeyPair,
} from './dev-keys';
export { demoPersona, demoPersonas, DEV_AUDIENCE, DEV_ISSUER, signPersonaToken } from './demo-personas';
