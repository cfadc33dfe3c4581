import { createHmac } from 'node:crypto';
import type { ApolloServerPlugin, GraphQLRequestContext } from '@apollo/server';
import { ErrorCode, type Authority, type Logger } from '../../shared';
import type { GatewayContext } from '../agency-data-source';
import { operationSubjects } from '../operation-subjects';
import type { SharedState } from '../shared-state';

export type Alert = NonNullable<Authority['alerts']>[number];

export interface UnusualAccessOptions {
  state: SharedState;
  secret: string;
  logger: Logger;
  /** Records a request's alerts for the privacy officer (identity's `recordAccessAlerts`); throws if it cannot. */
  record: (rc: GraphQLRequestContext<GatewayContext>, alerts: Alert[]) => Promise<void>;
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
interface Due {
  alert: Alert;
  recordedKey: string;
}

/**
 * The counters, in the shared state (keys and counters only: callers and
 * children as keyed hashes), per caller and hour. Each returns the alert due,
 * unless it is already recorded for this caller and hour.
 */
function createCounters(options: UnusualAccessOptions) {
  const childrenPerHour = options.childrenPerHour ?? 100;
  const minimumSearches = options.minimumSearches ?? 30;
  const searchFactor = options.searchFactor ?? 5;
  const now = options.now ?? Date.now;
  const hash = (value: string) => createHmac('sha256', options.secret).update(value).digest('hex').slice(0, 32);
  const scope = (authority: Authority) => ({ caller: hash(`caller\n${authority.caller.sub}`), hour: Math.floor(now() / 3_600_000) });
  const hourStart = (hour: number) => new Date(hour * 3_600_000).toISOString();
  const unlessRecorded = async (recordedKey: string, alert: Alert): Promise<Due | null> =>
    (await options.state.get(recordedKey)) === undefined ? { alert, recordedKey } : null;
  return {
    async searches(authority: Authority, count: number): Promise<Due | null> {
      const { caller, hour } = scope(authority);
      const role = [...authority.caller.roles].sort().join('+');
      let mine = 0;
      let all = 0;
      for (let i = 0; i < count; i++) {
        mine = await options.state.increment(`ua:searches:${caller}:${hour}`, HOUR);
        all = await options.state.increment(`ua:role-searches:${role}:${hour}`, HOUR);
      }
      const { size: searchers } = await options.state.addToSet(`ua:role-searchers:${role}:${hour}`, [caller], HOUR);
      const peers = searchers > 1 ? (all - mine) / (searchers - 1) : 0;
      const limit = Math.max(minimumSearches, searchFactor * peers);
      if (mine <= limit) return null;
      return unlessRecorded(`ua:alerted-searching:${caller}:${hour}`, {
        kind: 'UNUSUAL_SEARCHING',
        hour: hourStart(hour),
        count: mine,
        threshold: Math.ceil(limit),
        detail: `${mine} searches within the hour; peers in the same role averaged ${peers.toFixed(1)}`,
      });
    },
    async children(authority: Authority, unrelated: readonly string[]): Promise<Due | null> {
      const { caller, hour } = scope(authority);
      const { size } = await options.state.addToSet(
        `ua:children:${caller}:${hour}`,
        unrelated.map((c) => hash(`child\n${c}`)),
        HOUR,
      );
      if (size <= childrenPerHour) return null;
      return unlessRecorded(`ua:alerted-volume:${caller}:${hour}`, {
        kind: 'UNUSUAL_VOLUME',
        hour: hourStart(hour),
        count: size,
        threshold: childrenPerHour,
        detail: `viewed ${size} distinct children without a relationship within the hour (more than ${childrenPerHour})`,
      });
    },
  };
}

/**
 * Notices unusual access: a caller viewing more distinct children in an hour
 * than the threshold without a relationship to them, or searching far more
 * than their peers. Everything is counted once the operation has run, and
 * only what it ran: a root field the gateway withheld counts for nothing, and
 * a child counts unless an agency that answered for it found a relationship
 * (`context.related`), since only the agencies know relationships. An alert
 * is recorded for the privacy officer (`accessAlerts`) before the response
 * leaves, and marked recorded for the caller and hour only once it is: until
 * then, the caller's next request past the threshold in the same hour sends
 * it again (identity keeps one per caller, kind and hour). If it cannot be
 * recorded, or the counters cannot be read, nothing is disclosed.
 */
export function unusualAccessPlugin(options: UnusualAccessOptions): ApolloServerPlugin<GatewayContext> {
  const counters = createCounters(options);
  const due = async (rc: GraphQLRequestContext<GatewayContext>): Promise<Due[]> => {
    const { authority, filtered, related } = rc.contextValue;
    const withheld = new Set((filtered ?? []).filter((d) => d.path.length === 1).map((d) => d.path[0]));
    const fields = operationSubjects(rc).fields.filter((f) => !withheld.has(f.key));
    const searches = fields.filter((f) => f.search).length;
    const unrelated = [...new Set(fields.flatMap((f) => f.children))].filter((c) => !related?.has(c));
    const found = await Promise.all([
      searches > 0 ? counters.searches(authority, searches) : null,
      unrelated.length > 0 ? counters.children(authority, unrelated) : null,
    ]);
    return found.filter((d): d is Due => d !== null);
  };
  return {
    async requestDidStart() {
      let executed = false;
      return {
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse(rc) {
          // An operation refused before it ran disclosed nothing; an audit is not counted.
          if (!executed || rc.contextValue.authority.purpose === 'audit') return;
          await recordOrRefuse(rc, options, () => due(rc));
        },
      };
    },
  };
}

/**
 * Records what is due before the response leaves; if that, or counting, fails, the response is replaced
 * by AUDIT_UNAVAILABLE (HTTP 500, as when the gateway's own log cannot be written) and discloses nothing.
 */
async function recordOrRefuse(rc: GraphQLRequestContext<GatewayContext>, options: UnusualAccessOptions, count: () => Promise<Due[]>): Promise<void> {
  const authority = rc.contextValue.authority;
  let alerts: Alert[] = [];
  try {
    const found = await count();
    if (found.length === 0) return;
    alerts = found.map((d) => d.alert);
    options.logger.warn({ caller: authority.caller.sub, alerts, traceId: authority.traceId }, 'unusual access');
    await options.record(rc, alerts);
    await Promise.all(found.map((d) => options.state.set(d.recordedKey, '1', HOUR)));
  } catch (error) {
    options.logger.error(
      { err: error, caller: authority.caller.sub, alerts, traceId: authority.traceId },
      'could not check or record unusual access: nothing disclosed',
    );
    rc.response.http.status = 500;
    rc.response.body = {
      kind: 'single',
      singleResult: {
        errors: [
          {
            message: 'Unusual access could not be checked or recorded for the privacy officer, so nothing is disclosed.',
            extensions: { code: ErrorCode.AUDIT_UNAVAILABLE },
          },
        ],
      },
    };
  }
}
