import { exportCaseload } from './export';

/**
 * `npm run export:caseload > caseload.csv`: the caseload of whoever the token names, as CSV, through the gateway
 * like any client (a registered one: its operation is in trusted-documents/caseload-export.json).
 * Reads `CV_TOKEN` (a bearer token), `GATEWAY_URL` (default http://127.0.0.1:4000/graphql) and `PURPOSE_OF_USE` (default safeguarding).
 */
void (async () => {
  const token = process.env.CV_TOKEN;
  if (!token) {
    process.stderr.write('Set CV_TOKEN to your bearer token (in development: CV_TOKEN=$(npm run -s token -- sw.jones))\n');
    process.exit(2);
  }
  try {
    process.stdout.write(
      await exportCaseload({ url: process.env.GATEWAY_URL ?? 'http://127.0.0.1:4000/graphql', token, purpose: process.env.PURPOSE_OF_USE ?? 'safeguarding' }),
    );
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(1);
  }
})();
