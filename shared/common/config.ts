import { z } from 'zod';

export type Env = Record<string, string | undefined>;

/** A configuration value that cannot be used; the message names the variable and the value. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Reads each variable in `shape` from `env` and checks it. Every bad value is
 * reported at once, each as `NAME="value": reason` (a password masked).
 */
export function readEnv<S extends z.ZodRawShape>(shape: S, env: Env): z.infer<z.ZodObject<S>> {
  const problems: string[] = [];
  const out: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(shape)) {
    const raw = env[name] === '' ? undefined : env[name];
    const result = (schema as z.ZodType).safeParse(raw);
    if (result.success) out[name] = result.data;
    else problems.push(`${name}=${JSON.stringify(shown(name, raw ?? ''))}: ${result.error.issues.map((i) => i.message).join('; ')}`);
  }
  if (problems.length > 0) throw new ConfigError(`Invalid configuration:\n  ${problems.join('\n  ')}`);
  return out as z.infer<z.ZodObject<S>>;
}

/** A value as an error may show it: a secret's not at all, a URL's password masked. */
function shown(name: string, value: string): string {
  if (/PASSWORD|SECRET|TOKEN|KEY(?!_PATH)/i.test(name)) return '***';
  // Up to the last @: a password may hold an @ of its own.
  return value.replace(/^([a-z][a-z0-9+.-]*:\/\/[^\s:@/]*:)[^\s]*@/i, '$1***@');
}

/** Parsers for environment strings, each with a message a person can act on. */
export const env = {
  port: (fallback: number) =>
    z
      .string()
      .regex(/^\d+$/, 'expected a port number from 0 to 65535')
      .transform(Number)
      .refine((n) => n <= 65535, 'expected a port number from 0 to 65535')
      .default(fallback),
  positiveInt: (fallback: number) =>
    z
      .string()
      .regex(/^[1-9]\d*$/, 'expected a whole number above 0')
      .transform(Number)
      .default(fallback),
  boolean: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0'], { error: 'expected true or false' })
      .transform((v) => v === 'true' || v === '1')
      .default(fallback),
  url: (protocols: string[]) =>
    z.string().refine(
      (v) => {
        try {
          return protocols.includes(new URL(v).protocol.replace(':', ''));
        } catch {
          return false;
        }
      },
      `expected a URL starting ${protocols.map((p) => `${p}://`).join(' or ')}`,
    ),
  logLevel: () =>
    z
      .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
        error: 'expected one of fatal, error, warn, info, debug, trace, silent',
      })
      .default('info'),
  fraction: (fallback: number) =>
    z
      .string()
      .regex(/^(0(\.\d+)?|1(\.0+)?)$/, 'expected a number from 0 to 1, such as 0.92')
      .transform(Number)
      .default(fallback),
  date: () => z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD'),
  nodeEnv: () => z.string().default('production'),
};

/** Development means NODE_ENV=development: stack traces and introspection are only ever on then. */
export function isDevelopment(nodeEnv: string): boolean {
  return nodeEnv === 'development';
}
