import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode, graphqlError, type DeniedPath, type Logger } from '../../shared';
import type { GatewayContext } from '../agency-data-source';
import { AuditLineTooLong, MAX_AUDIT_LINE_BYTES, type GatewayAudit } from '../gateway-audit';
import { operationSubjects } from '../operation-subjects';

/**
 * Records each operation in the gateway's own audit log (`createGatewayAudit`) before anything is fetched: who
 * asked, for what purpose, the children and searches it names and what authorisation withheld. If the line
 * cannot be written, the operation is refused with AUDIT_UNAVAILABLE; one too large for a line, with BAD_USER_INPUT.
 */
export function gatewayAuditPlugin(options: { audit: Pick<GatewayAudit, 'record'>; logger: Logger }): ApolloServerPlugin<GatewayContext> {
  const { audit, logger } = options;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          const operation = rc.operation;
          if (!operation) return;
          const authority = rc.contextValue.authority;
          const { children, malformedNhsNumbers, searches } = operationSubjects(rc);
          const filtered = (rc.contextValue.filtered ?? []).map((d: DeniedPath) => ({
            path: d.path.join('.'),
            fields: d.coordinates ?? [d.coordinate],
            policy: d.policy,
            reason: d.reason,
          }));
          try {
            await audit.record({
              at: new Date().toISOString(),
              traceId: authority.traceId,
              caller: { sub: authority.caller.sub, name: authority.caller.name, roles: [...authority.caller.roles], org: authority.caller.org },
              purpose: authority.purpose,
              breakGlass: authority.breakGlass ? { justification: authority.breakGlass, grant: authority.breakGlassGrant?.id ?? null } : null,
              operation: { type: operation.operation, name: rc.operationName ?? null, hash: rc.queryHash ?? '' },
              children: [...new Set(children)],
              ...(malformedNhsNumbers ? { malformedNhsNumbers } : {}),
              searches,
              filtered,
            });
          } catch (error) {
            if (error instanceof AuditLineTooLong) {
              logger.warn(
                { err: error, traceId: authority.traceId },
                'an operation too large for one line of the gateway audit log: recorded without its lists, and refused',
              );
              throw graphqlError(
                ErrorCode.BAD_USER_INPUT,
                `The operation names more children, searches or withheld fields than one line of the gateway's audit log holds (${MAX_AUDIT_LINE_BYTES} bytes), so nothing is disclosed: ask in smaller operations.`,
                { http: { status: 400 } },
              );
            }
            logger.error({ err: error, traceId: authority.traceId }, 'could not write the gateway audit log: operation refused');
            throw graphqlError(ErrorCode.AUDIT_UNAVAILABLE, "The operation could not be recorded in the gateway's audit log, so nothing is disclosed.");
          }
        },
      };
    },
  };
}
