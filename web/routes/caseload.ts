import type { Express } from 'express';
import { ErrorCode } from '../../shared';
import { AGENCY_NAMES, createFieldReader, type FieldReader } from '../field-state';
import { GatewayUnreachable, type GatewayClient, type GatewayResult } from '../gateway-client';
import { operations, type MyCaseloadQuery } from '../operations';

/** One flag of one child: its state, what it shows, and whether it is raised (so the eye catches it). */
export interface CaseloadCell {
  field: string;
  state: 'value' | 'withheld' | 'not-recorded' | 'unavailable';
  text?: string;
  raised?: boolean;
  policy?: string;
  reason?: string;
  agency?: string;
}

export interface CaseloadRow {
  nhsNumber: string;
  name: string;
  dateOfBirth: string | null;
  cells: CaseloadCell[];
}

type Flag = (value: unknown, since: string) => { text: string; raised: boolean };

const yesNo = (raised: boolean, detail = '') => ({ text: `${raised ? 'Yes' : 'No'}${detail}`, raised });

/** The flags a practitioner scans a caseload for, in column order; each is read from one field of the child. */
export const CASELOAD_FLAGS: { field: string; heading: string; flag: Flag }[] = [
  { field: 'socialCare.status', heading: 'Child protection plan', flag: (v) => yesNo(v === 'CHILD_PROTECTION_PLAN') },
  {
    field: 'health.emergencyAttendances',
    heading: 'Emergency attendances, last 90 days',
    flag: (v, since) => {
      const count = (v as { date: string }[]).filter((a) => a.date >= since).length;
      return { text: count === 0 ? 'None' : String(count), raised: count > 0 };
    },
  },
  { field: 'education.attendanceRate', heading: 'Attendance under 90%', flag: (v) => yesNo(Number(v) < 90, ` (${Number(v).toFixed(1)}%)`) },
  {
    field: 'education.exclusions',
    heading: 'Exclusions',
    flag: (v) => {
      const count = (v as unknown[]).length;
      return { text: count === 0 ? 'None' : String(count), raised: count > 0 };
    },
  },
  {
    field: 'housing.rentArrears',
    heading: 'Rent arrears',
    flag: (v) =>
      Number(v) > 0
        ? { text: `£${Number(v).toLocaleString('en-GB', { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`, raised: true }
        : { text: 'None', raised: false },
  },
  { field: 'housing.temporaryAccommodation', heading: 'Temporary accommodation', flag: (v) => yesNo(v === true) },
];

function cellOf(read: FieldReader, field: string, flag: Flag, since: string): CaseloadCell {
  const state = read(...field.split('.'));
  switch (state.state) {
    case 'value':
      return { field, state: 'value', ...flag(state.value, since) };
    case 'withheld':
      return { field, state: 'withheld', policy: state.policy, reason: state.reason };
    case 'unavailable':
      return { field, state: 'unavailable', agency: AGENCY_NAMES[state.agency] ?? state.agency };
    default:
      return { field, state: 'not-recorded' };
  }
}

/** The caseload's rows, by family then given name, from one gateway result; `today` as YYYY-MM-DD. */
export function caseloadViewModel(result: GatewayResult<MyCaseloadQuery>, today: string): CaseloadRow[] {
  const since = new Date(Date.parse(`${today}T00:00:00Z`) - 90 * 86_400_000).toISOString().slice(0, 10);
  const children = result.data?.myCaseload ?? [];
  return children
    .map((child, i) => {
      const read = createFieldReader(result, ['myCaseload', i]);
      const name = read('name');
      const given = (name.state === 'value' ? child.name?.given : null) ?? '';
      const family = (name.state === 'value' ? child.name?.family : null) ?? '';
      const dateOfBirth = read('dateOfBirth');
      return {
        nhsNumber: child.nhsNumber,
        name: `${given} ${family}`.trim() || `NHS number ${child.nhsNumber}`,
        sortKey: `${family}\u0000${given}\u0000${child.nhsNumber}`.toLowerCase(),
        dateOfBirth: dateOfBirth.state === 'value' ? String(dateOfBirth.value) : null,
        cells: CASELOAD_FLAGS.map(({ field, flag }) => cellOf(read, field, flag, since)),
      };
    })
    .sort((a, b) => a.sortKey.localeCompare(b.sortKey))
    .map(({ sortKey: _, ...row }) => row);
}

/** Social workers' and team managers' caseload; anyone may open it, and the gateway decides what each sees. */
export function caseloadRoutes(app: Express, deps: { gateway: GatewayClient }): void {
  app.get('/caseload', async (req, res, next) => {
    try {
      const result = await deps.gateway.request(operations.myCaseload, {}, { token: req.session.data.token!, purpose: req.session.data.purpose! });
      const top = result.errors.find((e) => e.path?.length === 1 && e.path[0] === 'myCaseload');
      const refused = top?.extensions?.code === ErrorCode.FORBIDDEN ? top : undefined;
      const unavailable =
        Boolean(top && !refused) || (!result.data?.myCaseload && result.errors.some((e) => e.extensions?.code === ErrorCode.AGENCY_UNAVAILABLE));
      const rows = caseloadViewModel(result, new Date().toISOString().slice(0, 10));
      // More allocated than the list holds: the page says so, never showing a cut list as the whole caseload.
      const total = result.data?.myCaseloadSize ?? null;
      const cut = total !== null && total > rows.length ? total - rows.length : 0;
      res.status(refused ? 403 : 200).render('caseload.njk', { rows, total, cut, headings: CASELOAD_FLAGS.map((f) => f.heading), refused, unavailable });
    } catch (error) {
      if (error instanceof GatewayUnreachable) {
        return res.status(502).render('error.njk', { title: 'The service is unavailable', message: 'Your caseload could not be fetched. Try again later.' });
      }
      next(error);
    }
  });
}
