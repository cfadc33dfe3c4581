import { REGISTRY } from '../registry';
import { ErrorCode } from '../shared';
import type { GatewayResult } from './gateway-client';

/**
 * Every field on a page is in exactly one of these states, never silently blank.
 * `withheld`: the gateway returned FORBIDDEN at the field or above it; `unavailable`: the agency did not answer.
 */
export type FieldState =
  | { state: 'value'; value: unknown }
  | { state: 'withheld'; policy: string; reason: string }
  | { state: 'not-recorded' }
  | { state: 'unavailable'; agency: string };

/** The root field under a child that each agency answers for. */
export const AGENCY_FIELDS: Record<string, string> = {
  health: 'health',
  socialcare: 'socialCare',
  housing: 'housing',
  education: 'education',
  police: 'police',
};

/** Each agency as people know it, from the registry. */
export const AGENCY_NAMES: Record<string, string> = Object.fromEntries(REGISTRY.map((a) => [a.name, a.title]));

const samePrefix = (prefix: (string | number)[], path: (string | number)[]) => prefix.length <= path.length && prefix.every((p, i) => p === path[i]);

/** Reads fields of a gateway result by path, each with the state it is in. */
export function createFieldReader(result: GatewayResult, root: (string | number)[] = []) {
  const pathless = result.errors.filter((e) => !e.path);
  const agencyOfPath = (path: (string | number)[]): string | undefined => {
    const rel = path.slice(root.length);
    return Object.entries(AGENCY_FIELDS).find(([, field]) => rel[0] === field)?.[0];
  };
  return function read(...relative: (string | number)[]): FieldState {
    const path = [...root, ...relative];
    const error = result.errors.find((e) => e.path && samePrefix(e.path, path));
    if (error) {
      const code = error.extensions?.code;
      if (code === ErrorCode.FORBIDDEN)
        return { state: 'withheld', policy: error.extensions?.policy ?? 'unknown', reason: error.extensions?.reason ?? 'not allowed' };
      return { state: 'unavailable', agency: error.extensions?.agency ?? agencyOfPath(path) ?? 'an agency' };
    }
    let value: unknown = result.data;
    for (const key of path) {
      if (value === null || value === undefined) break;
      value = (value as Record<string | number, unknown>)[key];
    }
    if (value === null || value === undefined) {
      const agency = agencyOfPath(path);
      const down = pathless.find(
        (e) => e.extensions?.code === ErrorCode.AGENCY_UNAVAILABLE && (e.extensions.agency === agency || e.extensions.agencies?.includes(agency ?? '')),
      );
      if (agency && down) return { state: 'unavailable', agency };
      return { state: 'not-recorded' };
    }
    return { state: 'value', value };
  };
}
export type FieldReader = ReturnType<typeof createFieldReader>;
