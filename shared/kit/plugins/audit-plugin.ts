import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import type { GraphQLFormattedError } from 'graphql';
import { AUDIT_HEAD_EXTENSION, createAuditWriter, createDisclosureReader, type AuditedContext, type AuditEntry } from '../../audit';
import { ErrorCode, formattedError, type Logger } from '../../common';
import type { Database } from '../../database';
import type { PolicyMap } from '../../policy';

function auditUnavailable(): GraphQLFormattedError {
  return formattedError(ErrorCode.AUDIT_UNAVAILABLE, "The disclosure could not be recorded in the agency's audit log, so nothing is disclosed.");
}

/**
 * The audit layer, as an Apollo Server plugin: after execution and before the
 * response leaves, one entry per child the response is about (registered in
 * `context.audit`, and every `_entities` representation) is appended to the
 * agency's chain, with the fields given and those withheld. If the entries
 * cannot be written, the response is replaced by AUDIT_UNAVAILABLE: nothing
 * is disclosed that is not recorded.
 */
export function auditPlugin<C extends AuditedContext>(options: {
  db: Database;
  logger: Logger;
  policyMap: PolicyMap;
  agency: string;
  /** What the agency does besides auditing once disclosures are recorded (social care notifies the child's local authority). */
  onDisclosed?: (db: Database, entries: readonly AuditEntry[], context: C) => Promise<void>;
}): ApolloServerPlugin<C> {
  const write = createAuditWriter(options.db);
  const entriesOf = createDisclosureReader(options);
  return {
    async requestDidStart() {
      return {
        async willSendResponse(rc: GraphQLRequestContext<C>) {
          try {
            // Working out what the response discloses is part of recording it: if either fails, nothing is disclosed.
            const entries = entriesOf(rc);
            if (entries.length === 0) return;
            const head = await write(entries);
            await options.onDisclosed?.(options.db, entries, rc.contextValue);
            if (head && rc.response.body?.kind === 'single') {
              const result = rc.response.body.singleResult;
              result.extensions = { ...result.extensions, [AUDIT_HEAD_EXTENSION]: head };
            }
          } catch (error) {
            options.logger.error({ err: error, traceId: rc.contextValue.authority?.traceId }, 'could not write the audit log: nothing disclosed');
            if (rc.response.body?.kind === 'single') rc.response.body.singleResult = { data: null, errors: [auditUnavailable()] };
          }
        },
      };
    },
  };
}
