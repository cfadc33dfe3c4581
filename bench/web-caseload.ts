import { operations } from '../web/operations';
import { comparePageWithQuery, runBench } from './web-page-vs-query';

/**
 * `npx tsx bench/web-caseload.ts [rounds]`: the caseload page for 500 children against the one gateway
 * query it makes, as sw.jones with 500 children allocated, p50 and p95 of each, one request at a time.
 */
const CASELOAD = 500;
runBench(() =>
  comparePageWithQuery({
    label: `caseload of ${CASELOAD}`,
    rounds: Number(process.argv[2] ?? 30),
    warmUp: 5,
    federation: { children: 600, caseload: { worker: 'sw.jones', children: CASELOAD } },
    path: '/caseload',
    document: operations.myCaseload,
    // Either answer must hold the whole caseload, or the figures measure something smaller.
    check: (text) => {
      const children = (text.match(/data-child="|"nhsNumber":/g) ?? []).length;
      if (children !== CASELOAD) throw new Error(`answered ${children} children, not ${CASELOAD}`);
    },
  }),
);
