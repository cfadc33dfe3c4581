import { createHmac } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
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
  /** The clock the hour is read from. @default Date.now */
  now?: () => number;
}

const HOUR = 3600;

/** An alert due, with the key that marks it recorded for this caller and hour. */
interface Due { alert: Alert; recordedKey: string }

/**
 * Notices unusual access with counters in the shared state (keys and
 * counters only: callers and children as keyed hashes): a caller viewing more
 * distinct children in an hour than the threshold without a relationship to
 * them, or searching far more than their peers. Searches are counted as the
 * operation is resolved; children once it has run, since only the agencies
 * know relationships: a child counts unless an agency that answered for it
 * found one (`context.related`). An alert is recorded for the privacy officer
 * (`accessAlerts`) before the response leaves, and marked recorded for the
 * caller and hour only once it is: until then each of the caller's requests
 * past the threshold records it again (two replicas may both record it; none
 * loses it). If it cannot be recorded, or the counters cannot be read, nothing
 * is disclosed.
 */
export function unusualAccess(options: UnusualAccessOptions): ApolloServerPlugin<GatewayContext> {
  const childrenPerHour = options.childrenPerHour ?? 100;
  const minimumSearches = options.minimumSearches ?? 30;
  const searchFactor = options.searchFactor ?? 5;
  const now = options.now ?? Date.now;
  const hash = (value: string) => createHmac('sha256', options.secret).update(value).digest('hex').slice(0, 32);
  const callerKey = (authority: Authority) => hash(`caller\n${authority.caller.sub}`);
  const currentHour = () => Math.floor(now() / 3_600_000);
  const unlessRecorded = async (recordedKey: string, alert: Alert): Promise<Due | null> =>
    (await options.state.get(recordedKey)) === undefined ? { alert, recordedKey } : null;

  const searchAlert = async (authority: Authority): Promise<Due | null> => {
    const caller = callerKey(authority);
    const hour = currentHour();
    const role = [...authority.caller.roles].sort().join('+');
    const mine = await options.state.increment(`ua:searches:${caller}:${hour}`, HOUR);
    const all = await options.state.increment(`ua:role-searches:${role}:${hour}`, HOUR);
    const { size: searchers } = await options.state.addToSet(`ua:role-searchers:${role}:${hour}`, [caller], HOUR);
    const peers = searchers > 1 ? (all - mine) / (searchers - 1) : 0;
    const limit = Math.max(minimumSearches, searchFactor * peers);
    if (mine <= limit) return null;
    return unlessRecorded(`ua:alerted-searching:${caller}:${hour}`, { kind: 'UNUSUAL_SEARCHING', count: mine, threshold: Math.ceil(limit), detail: `${mine} searches within the hour; peers in the same role averaged ${peers.toFixed(1)}` });
  };

  const volumeAlert = async (authority: Authority, children: readonly string[], related: ReadonlySet<string> | undefined): Promise<Due | null> => {
    const unrelated = related ? children.filter((c) => !related.has(c)) : children;
    if (unrelated.length === 0) return null;
    const caller = callerKey(authority);
    const hour = currentHour();
    const { size } = await options.state.addToSet(`ua:children:${caller}:${hour}`, unrelated.map((c) => hash(`child\n${c}`)), HOUR);
    if (size <= childrenPerHour) return null;
    return unlessRecorded(`ua:alerted-volume:${caller}:${hour}`, { kind: 'UNUSUAL_VOLUME', count: size, threshold: childrenPerHour, detail: `viewed ${size} distinct children without a relationship within the hour (more than ${childrenPerHour})` });
  };

  /** Records what is due before the response leaves; if that, or counting, failed, the response discloses nothing. */
  const recordOrRefuse = async (rc: GraphQLRequestContext<GatewayContext>, due: Promise<(Due | null)[]>): Promise<void> => {
    const authority = rc.contextValue.authority;
    let alerts: Alert[] = [];
    try {
      const found = (await due).filter((d): d is Due => d !== null);
      if (found.length === 0) return;
      alerts = found.map((d) => d.alert);
      options.logger.warn({ caller: authority.caller.sub, alerts, traceId: authority.traceId }, 'unusual access');
      await options.record(authority, alerts);
      await Promise.all(found.map((d) => options.state.set(d.recordedKey, '1', HOUR)));
    } catch (error) {
      options.logger.error({ err: error, caller: authority.caller.sub, alerts, traceId: authority.traceId }, 'could not check or record unusual access: nothing disclosed');
      rc.response.body = {
        kind: 'single',
        singleResult: { errors: [{ message: 'Unusual access could not be checked or recorded for the privacy officer, so nothing is disclosed.', extensions: { code: ErrorCode.AUDIT_UNAVAILABLE } }] },
      };
    }
  };

  return {
    async requestDidStart() {
      let searching: Promise<Due | null> = Promise.resolve(null);
      let counted = false;
      let executed = false;
      return {
        async didResolveOperation(rc) {
          if (!rc.operation || rc.contextValue.authority.purpose === 'audit') return;
          counted = true;
          // Not awaited here: the other plugins' hooks run alongside, and if one refuses the operation,
          // what was counted is still settled in willSendResponse. A failure is handled there too.
          if (operationSubjects(rc).searches.length > 0) {
            searching = searchAlert(rc.contextValue.authority);
            searching.catch(() => undefined);
          }
        },
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse(rc) {
          if (!counted) return;
          const { children } = operationSubjects(rc);
          const viewing = executed && children.length > 0 ? volumeAlert(rc.contextValue.authority, children, rc.contextValue.related) : Promise.resolve(null);
          await recordOrRefuse(rc, Promise.all([searching, viewing]));
        },
      };
    },
  };
}
