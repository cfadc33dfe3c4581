import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const read = (name: string) => readFileSync(join(__dirname, `${name}.graphql`), 'utf8');

/** The operations the web app runs, each kept in its own .graphql file. */
export const operations = {
  childView: read('child-view'),
  searchChildren: read('search-children'),
  privacyOverview: read('privacy-overview'),
  reviewBreakGlass: read('review-break-glass'),
  childAccessLog: read('child-access-log'),
  /** Holds ConfirmHousingMatch and RejectHousingMatch: name one as the operation. */
  decideHousingMatch: read('decide-housing-match'),
  housingPossibleMatches: read('housing-possible-matches'),
  myCaseload: read('my-caseload'),
} as const;
