import { CONTEXT_HEADER, type Authority } from '../shared';
import type { Alert } from './unusual-access';

const RECORD_ALERTS = 'mutation RecordAccessAlerts { recordAccessAlerts }';

/**
 * Records a request's unusual-access alerts through an agency's
 * `recordAccessAlerts` (identity's): a call of the gateway's own, made after
 * the request has run, carrying the request's authority and its alerts signed
 * for that agency alone. Throws unless the agency says it recorded them all.
 */
export function createAlertRecorder(options: {
  agency: string;
  /** The agency's subgraph URL, known once the gateway has built its services. */
  url: () => string | undefined;
  signContext: (authority: Authority, audience: string) => Promise<string>;
  timeoutMs: number;
}): (authority: Authority, alerts: Alert[]) => Promise<void> {
  return async (authority, alerts) => {
    const url = options.url();
    if (!url) throw new Error(`the supergraph has no subgraph named ${options.agency} to record alerts with`);
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', [CONTEXT_HEADER]: await options.signContext({ ...authority, alerts }, options.agency) },
      body: JSON.stringify({ query: RECORD_ALERTS }),
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    const body = (await response.json().catch(() => null)) as { data?: { recordAccessAlerts?: unknown }; errors?: { message: string; extensions?: { code?: unknown } }[] } | null;
    if (body?.data?.recordAccessAlerts === alerts.length) return;
    const error = body?.errors?.[0];
    throw new Error(`${options.agency} did not record the alerts (HTTP ${response.status}${error ? `, ${String(error.extensions?.code ?? '')}: ${error.message}` : ''})`);
  };
}
