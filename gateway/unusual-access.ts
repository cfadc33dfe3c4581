import { createHmac } from 'node:crypto';
import type { ApolloServerPlugin } from '@apollo/server';
import type { Authority, Logger } from '../shared';
import type { GatewayContext } from './agency-data-source';
import { operationSubjects } from './operation-subjects';
import type { SharedState } from './shared-state';

export interface UnusualAccessOptions {
  state: SharedState;
  secret: string;
  logger: Logger;
  /** More distinct children than this in an hour, by one caller, raises an alert. @default 100 */
  childrenPerHour?: number;
  /** Searches in an hour at least this many… @default 30 */
  minimumSearches?: number;
  /** …and this many times the average of the caller's peers (the same role) raise an alert. @default 5 */
  searchFactor?: number;
}

type Alert = NonNullable<Authority['alerts']>[number];

/**
 * Notices unusual access with counters in the shared state (keys and
 * counters only: callers and children as keyed hashes): a caller viewing more
 * distinct children in an hour than the threshold, or searching far more than
 * their peers. Each alert is raised once per caller and hour, carried to
 * identity in the request's signed context, and listed for the privacy
 * officer (`accessAlerts`).
 */
export function unusualAccess(options: UnusualAccessOptions): ApolloServerPlugin<GatewayContext> {
  const childrenPerHour = options.childrenPerHour ?? 100;
  const minimumSearches = options.minimumSearches ?? 30;
  const searchFactor = options.searchFactor ?? 5;
  const hash = (value: string) => createHmac('sha256', options.secret).update(value).digest('hex').slice(0, 32);
  const HOUR = 3600;
  return {
    async requestDidStart() {
      return {
        async didResolveOperation(rc) {
          const authority = rc.contextValue.authority;
          if (!rc.operation || authority.purpose === 'audit') return;
          const { children, searches: asked } = operationSubjects(rc);
          const searches = asked.length;
          if (children.length === 0 && searches === 0) return;
          const hour = Math.floor(Date.now() / 3_600_000);
          const caller = hash(`caller\n${authority.caller.sub}`);
          const alerts: Alert[] = [];
          if (children.length > 0) {
            const { added, size } = await options.state.addToSet(`ua:children:${caller}:${hour}`, children.map((c) => hash(`child\n${c}`)), HOUR);
            if (size > childrenPerHour && size - added <= childrenPerHour) {
              alerts.push({ kind: 'UNUSUAL_VOLUME', count: size, threshold: childrenPerHour, detail: `viewed ${size} distinct children within the hour (more than ${childrenPerHour})` });
            }
          }
          if (searches > 0) {
            const role = [...authority.caller.roles].sort().join('+');
            const mine = await options.state.increment(`ua:searches:${caller}:${hour}`, HOUR);
            const all = await options.state.increment(`ua:role-searches:${role}:${hour}`, HOUR);
            const { size: searchers } = await options.state.addToSet(`ua:role-searchers:${role}:${hour}`, [caller], HOUR);
            const peers = searchers > 1 ? (all - mine) / (searchers - 1) : 0;
            const limit = Math.max(minimumSearches, searchFactor * peers);
            if (mine > limit && (await options.state.increment(`ua:alerted-searching:${caller}:${hour}`, HOUR)) === 1) {
              alerts.push({ kind: 'UNUSUAL_SEARCHING', count: mine, threshold: Math.ceil(limit), detail: `${mine} searches within the hour; peers in the same role averaged ${peers.toFixed(1)}` });
            }
          }
          if (alerts.length > 0) {
            options.logger.warn({ caller: authority.caller.sub, alerts, traceId: authority.traceId }, 'unusual access');
            rc.contextValue.authority = { ...authority, alerts };
          }
        },
      };
    },
  };
}
