import { z } from 'zod';
import { ORG_TYPES, ROLES } from '../../registry';

/** Why a practitioner is asking (header `X-Purpose-Of-Use`). */
export const PURPOSES = ['direct-care', 'safeguarding', 'emergency-care', 'audit'] as const;
export type Purpose = (typeof PURPOSES)[number];

/** The roles and kinds of organisation tokens may name: the agencies' own words, from the registry. */
export { ORG_TYPES, ROLES, type OrgType, type Role } from '../../registry';

/** The practitioner, as their identity provider's token says. */
export const callerSchema = z.object({
  sub: z.string().min(1),
  name: z.string().min(1),
  /** ODS code, local authority code, school URN or landlord id. */
  org: z.string().min(1),
  orgType: z.enum(ORG_TYPES),
  roles: z.array(z.enum(ROLES)).min(1),
  team: z.string().min(1).optional(),
});
export type Caller = z.infer<typeof callerSchema>;

/** The fewest letters and digits a break-glass justification holds (spaces, punctuation and invisible characters do not count). */
export const BREAK_GLASS_MIN_LENGTH = 20;
/** The most characters a break-glass justification may have, once decoded: a few sentences, not a document. */
export const BREAK_GLASS_MAX_LENGTH = 500;

/** Everything an agency needs to decide what it may disclose for one request. */
export const authoritySchema = z.object({
  caller: callerSchema,
  purpose: z.enum(PURPOSES),
  /** The written justification of a declared emergency, when break-glass was invoked. */
  breakGlass: z.string().min(BREAK_GLASS_MIN_LENGTH).max(BREAK_GLASS_MAX_LENGTH).optional(),
  /** The time-boxed grant the break-glass belongs to; `opened` on the request that opened it. */
  breakGlassGrant: z.object({ id: z.string().min(1), openedAt: z.string(), expiresAt: z.string(), opened: z.boolean() }).optional(),
  /** Unusual access the gateway noticed with this request: sent, after the request, on the gateway's own call for identity to record it for the privacy officer. */
  alerts: z
    .array(
      z.object({
        kind: z.enum(['UNUSUAL_VOLUME', 'UNUSUAL_SEARCHING']),
        count: z.number(),
        threshold: z.number(),
        detail: z.string(),
        /** The start of the hour counted (ISO 8601): identity keeps one alert per caller, kind and hour. Optional, so that a gateway sending none is still heard. */
        hour: z.string().datetime().optional(),
      }),
    )
    .optional(),
  /** The same for every agency called for one gateway request. */
  traceId: z.string().min(1),
});
export type Authority = z.infer<typeof authoritySchema>;
