import { operations } from '../web/operations';
import { comparePageWithQuery, runBench } from './web-page-vs-query';

/**
 * `npx tsx bench/web-single-view.ts [rounds]`: the child's single-view page's time against the one
 * gateway query it makes, as sw.jones viewing Amelia, p50 and p95 of each, one request at a time.
 */
runBench(() =>
  comparePageWithQuery({
    label: 'single view',
    rounds: Number(process.argv[2] ?? 100),
    warmUp: 10,
    path: '/child/9990000018',
    document: operations.childView,
    variables: { nhsNumber: '9990000018' },
  }),
);
