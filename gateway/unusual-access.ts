import { createHmac } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import { ErrorCode, type Authority, type Logger } from '../shared';
import type { GatewayContext } from './agency-data-source';
import { operationSubjects } from './operation-subjects';
import type { SharedState } from './shared-state';

export type Alert = NonNullable<Authority['alerts']>[number];

export interface UnusualAccessOptions {
  state: SharedState;
  secret: string;
  logger: Logger;
  /** Records a request's alerts for the privacy officer (identity's `recordAccessAlerts`); throws if it cannot. */
  record: (authority: Authority, alerts: Alert[]) => Promise<void>;
  /** More distinct children than this in an hour, viewed by one caller without a relationship, raises an alert. @default 100 */
  childrenPerHour?: number;
  /** Searches in an hour at least this many… @default 30 */
  minimumSearches?: number;
  /** …and this many times the average of the caller's peers (the same role) raise an alert. @default 5 */
  searchFactor?: number;
}

/**
 * Notices unusual access with counters in the shared state (keys and
 * counters only: callers and children as keyed hashes): a caller viewing more
 * distinct children in an hour than the threshold without a relationship to
 * them, or searching far more than their peers. Searches are counted as the
 * operation is resolved; children once it has run, since only the agencies
 * know relationships: a child counts unless an agency that answered for it
 * found one (`context.related`). Each alert is raised once per caller and
 * hour and recorded for the privacy officer (`accessAlerts`) before the
 * response leaves; if it cannot be recorded, nothing is disclosed, and the
 * caller's next request raises it again.
 */
export function unusualAccess(options: UnusualAccessOptions): ApolloServerPlugin<GatewayContext> {
  const childrenPerHour = options.childrenPerHour ?? 100;
  const minimumSearches = options.minimumSearches ?? 30;
  const searchFactor = options.searchFactor ?? 5;
  const hash = (value: string) => createHmac('sha256', options.secret).update(value).digest('hex').slice(0, 32);
  const HOUR = 3600;
  const callerKey = (authority: Authority) => hash(`caller\n${authority.caller.sub}`);
  const currentHour = () => Math.floor(Date.now() / 3_600_000);

  // An alert is claimed in the shared state (so one replica raises it, once per caller and hour), and the
  // claim released if it cannot be recorded, so that the caller's next request raises it again.
  type Claimed = { alert: Alert; claim: string };
  const claim = async (key: string, alert: Alert): Promise<Claimed | null> =>
    (await options.state.increment(key, HOUR)) === 1 ? { alert, claim: key } : null;

  const searchAlert = async (authority: Authority): Promise<Claimed | null> => {
    const caller = callerKey(authority);
    const hour = currentHour();
    const role = [...authority.caller.roles].sort().join('+');
    const mine = await options.state.increment(`ua:searches:${caller}:${hour}`, HOUR);
    const all = await options.state.increment(`ua:role-searches:${role}:${hour}`, HOUR);
    const { size: searchers } = await options.state.addToSet(`ua:role-searchers:${role}:${hour}`, [caller], HOUR);
    const peers = searchers > 1 ? (all - mine) / (searchers - 1) : 0;
    const limit = Math.max(minimumSearches, searchFactor * peers);
    if (mine <= limit) return null;
    return claim(`ua:alerted-searching:${caller}:${hour}`, { kind: 'UNUSUAL_SEARCHING', count: mine, threshold: Math.ceil(limit), detail: `${mine} searches within the hour; peers in the same role averaged ${peers.toFixed(1)}` });
  };

  const volumeAlert = async (authority: Authority, children: readonly string[], related: ReadonlySet<string> | undefined): Promise<Claimed | null> => {
    const unrelated = related ? children.filter((c) => !related.has(c)) : children;
    if (unrelated.length === 0) return null;
    const caller = callerKey(authority);
    const hour = currentHour();
    const { size } = await options.state.addToSet(`ua:children:${caller}:${hour}`, unrelated.map((c) => hash(`child\n${c}`)), HOUR);
    if (size <= childrenPerHour) return null;
    return claim(`ua:alerted-volume:${caller}:${hour}`, { kind: 'UNUSUAL_VOLUME', count: size, threshold: childrenPerHour, detail: `viewed ${size} distinct children without a relationship within the hour (more than ${childrenPerHour})` });
  };

  return {
    async requestDidStart() {
      const claimed: Claimed[] = [];
      let counted = false;
      let executed = false;
      return {
        async didResolveOperation(rc) {
          const authority = rc.contextValue.authority;
          if (!rc.operation || authority.purpose === 'audit') return;
          counted = true;
          if (operationSubjects(rc).searches.length === 0) return;
          const alert = await searchAlert(authority);
          if (alert) claimed.push(alert);
        },
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse(rc) {
          if (!counted) return;
          const authority = rc.contextValue.authority;
          const { children } = operationSubjects(rc);
          if (executed && children.length > 0) {
            const alert = await volumeAlert(authority, children, rc.contextValue.related);
            if (alert) claimed.push(alert);
          }
          if (claimed.length === 0) return;
          const alerts = claimed.map((c) => c.alert);
          options.logger.warn({ caller: authority.caller.sub, alerts, traceId: authority.traceId }, 'unusual access');
          try {
            await options.record(authority, alerts);
          } catch (error) {
            options.logger.error({ err: error, caller: authority.caller.sub, alerts, traceId: authority.traceId }, 'could not record unusual access: nothing disclosed');
            await Promise.all(claimed.map((c) => options.state.delete(c.claim))).catch((err) => options.logger.error({ err }, 'could not release an unrecorded alert'));
            if (rc.response.body.kind === 'single') {
              rc.response.body.singleResult = {
                errors: [{ message: 'Unusual access was noticed with this request and could not be recorded for the privacy officer, so nothing is disclosed.', extensions: { code: ErrorCode.AUDIT_UNAVAILABLE } }],
              };
            }
          }
        },
      };
    },
  };
}
