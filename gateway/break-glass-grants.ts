import { createHmac, randomUUID } from 'node:crypto';
import { Kind, parse, valueFromASTUntyped, type OperationDefinitionNode } from 'graphql';
import { normaliseNhsNumber, type Authority, type Logger } from '../shared';
import type { SharedState } from './shared-state';

interface Grant {
  id: string;
  justification: string;
  openedAt: string;
  expiresAt: string;
}

export interface BreakGlassGrants {
  /** The request's authority once any grant is opened or found: a grant carries its justification to every agency. */
  resolve(authority: Authority, body: unknown): Promise<Authority>;
  /** Ends a grant before its time (a privacy officer found it inappropriate). */
  revoke(id: string): Promise<void>;
}

/**
 * Break-glass grants, as the Summary Care Record's self-claimed relationship:
 * a request with purpose `emergency-care` and `X-Break-Glass: <justification>`
 * for `child(nhsNumber)` opens a grant for that caller and that child for
 * `minutes`, kept in the shared state, so that every replica honours it and
 * can revoke it. Until it expires, that caller's emergency-care requests for
 * that child are break-glass without the header, and every agency audits each
 * use with the justification. Keys are HMACs of caller and child: no NHS number
 * is kept in the shared state.
 */
export function createBreakGlassGrants(options: { state: SharedState; minutes: number; secret: string; logger: Logger }): BreakGlassGrants {
  const keyFor = (sub: string, nhsNumber: string) => `bg:${createHmac('sha256', options.secret).update(`${sub}\n${nhsNumber}`).digest('hex')}`;
  const revoke = async (id: string) => {
    const key = await options.state.get(`bgid:${id}`);
    if (key) await options.state.delete(key);
    await options.state.delete(`bgid:${id}`);
  };
  return {
    revoke,
    async resolve(authority, body) {
      if (authority.purpose !== 'emergency-care') return authority;
      const nhsNumber = childAskedFor(body);
      if (!nhsNumber) return authority;
      const key = keyFor(authority.caller.sub, nhsNumber);
      const held = await options.state.get(key);
      const existing = held ? (JSON.parse(held) as Grant) : undefined;
      if (existing && Date.parse(existing.expiresAt) > Date.now()) {
        return {
          ...authority,
          breakGlass: authority.breakGlass ?? existing.justification,
          breakGlassGrant: { id: existing.id, openedAt: existing.openedAt, expiresAt: existing.expiresAt, opened: false },
        };
      }
      if (!authority.breakGlass) return authority;
      const now = Date.now();
      const grant: Grant = {
        id: randomUUID(),
        justification: authority.breakGlass,
        openedAt: new Date(now).toISOString(),
        expiresAt: new Date(now + options.minutes * 60_000).toISOString(),
      };
      await options.state.set(key, JSON.stringify(grant), options.minutes * 60);
      await options.state.set(`bgid:${grant.id}`, key, options.minutes * 60);
      options.logger.warn(
        { grant: grant.id, caller: authority.caller.sub, expiresAt: grant.expiresAt, traceId: authority.traceId },
        'break-glass grant opened',
      );
      return { ...authority, breakGlassGrant: { id: grant.id, openedAt: grant.openedAt, expiresAt: grant.expiresAt, opened: true } };
    },
  };
}

/** The NHS number of `child(nhsNumber: …)` when that is the whole operation; break-glass opens nothing else. */
function childAskedFor(body: unknown): string | null {
  const { query, variables, operationName } = (body ?? {}) as { query?: unknown; variables?: Record<string, unknown>; operationName?: string };
  if (typeof query !== 'string') return null;
  let operation: OperationDefinitionNode | undefined;
  try {
    const document = parse(query);
    const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
    operation = operationName ? operations.find((o) => o.name?.value === operationName) : operations.length === 1 ? operations[0] : undefined;
  } catch {
    return null;
  }
  const roots = operation?.selectionSet.selections ?? [];
  const field = roots.length === 1 && roots[0]!.kind === Kind.FIELD && roots[0]!.name.value === 'child' ? roots[0] : undefined;
  const argument = field?.arguments?.find((a) => a.name.value === 'nhsNumber');
  const value = argument ? valueFromASTUntyped(argument.value, variables ?? {}) : undefined;
  return typeof value === 'string' ? normaliseNhsNumber(value) : null;
}
