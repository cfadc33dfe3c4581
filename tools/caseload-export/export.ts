import { ErrorCode } from '../../shared';
import { CaseloadExportDocument } from './generated/graphql';

/** The client name this export sends: the gateway runs for it only what `trusted-documents/caseload-export.json` holds. */
export const EXPORT_CLIENT_NAME = 'caseload-export';

interface GraphQLError {
  message: string;
  path?: (string | number)[];
  extensions?: { code?: string; policy?: string; agency?: string };
}

const COLUMNS = [
  ['NHS number', 'nhsNumber'],
  ['Given name', 'name.given'],
  ['Family name', 'name.family'],
  ['Date of birth', 'dateOfBirth'],
  ['Social care status', 'socialCare.status'],
  ['Status since', 'socialCare.statusSince'],
  ['Allocated social worker', 'socialCare.allocatedWorker.name'],
  ['Team', 'socialCare.allocatedWorker.team'],
] as const;

/** A cell a spreadsheet will not run as a formula, quoted as RFC 4180 says. */
function cell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/**
 * The signed-in social worker's (or team manager's) caseload as CSV, one row per child. A field the gateway withheld
 * says so, with its policy, and one whose agency did not answer says that: a blank cell only ever means "not recorded".
 */
export async function exportCaseload(options: { url: string; token: string; purpose: string }): Promise<string> {
  const hash = (CaseloadExportDocument as unknown as { __meta__: { hash: string } }).__meta__.hash;
  const response = await fetch(options.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${options.token}`,
      'x-purpose-of-use': options.purpose,
      'apollographql-client-name': EXPORT_CLIENT_NAME,
    },
    body: JSON.stringify({ variables: {}, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } }),
  });
  const body = (await response.json().catch(() => undefined)) as
    { data?: { myCaseload?: Record<string, unknown>[] | null } | null; errors?: GraphQLError[] } | undefined;
  if (!body?.data) {
    const first = body?.errors?.[0];
    throw new Error(
      `The gateway refused the export (${response.status}${first?.extensions?.code ? ` ${first.extensions.code}` : ''}): ${first?.message ?? 'no GraphQL answer'}`,
    );
  }
  const errors = body.errors ?? [];
  const top = errors.find((e) => e.path?.length === 1);
  if (top && !body.data.myCaseload) throw new Error(`The caseload was not disclosed (${top.extensions?.code ?? 'error'}): ${top.message}`);
  const rows = (body.data.myCaseload ?? []).map((child, i) =>
    COLUMNS.map(([, path]) => {
      const parts = path.split('.');
      // An error at this field, or at an object above it (socialCare withheld withholds socialCare.status).
      const error = errors.find((e) => e.path?.[0] === 'myCaseload' && e.path[1] === i && e.path.slice(2).every((key, j) => parts[j] === String(key)));
      if (error?.extensions?.code === ErrorCode.FORBIDDEN) return `[withheld: ${error.extensions.policy ?? 'policy'}]`;
      if (error?.extensions?.code === ErrorCode.AGENCY_UNAVAILABLE) return `[unavailable: ${error.extensions.agency ?? 'agency'} did not answer]`;
      // Each column is a leaf of the caseload's selection: a String or an enum.
      const value = parts.reduce<unknown>((v, k) => (v === null || v === undefined ? v : (v as Record<string, unknown>)[k]), child) as
        string | null | undefined;
      return value === null || value === undefined ? '' : String(value);
    }),
  );
  return [COLUMNS.map(([heading]) => heading), ...rows].map((row) => row.map(cell).join(',')).join('\r\n') + '\r\n';
}
