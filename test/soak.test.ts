import { runSoak } from '../tools/soak/run-soak';

/**
 * The soak's 60-second version (`npm run soak` runs ten minutes): the whole
 * federation as separate processes, on PostgreSQL and with Redis when the
 * suite has them, one agency killed, the gateway restarted (and Redis), and
 * every accountability invariant checked against the soak's own ledger.
 */
describe('a shortened day of a county, faults included', () => {
  it('keeps every accountability invariant', async () => {
    const lines: string[] = [];
    const report = await runSoak({
      seconds: 60,
      children: 1_000,
      rate: 4,
      databaseUrl: process.env.TEST_DATABASE_URL || undefined,
      redis: Boolean(process.env.REDIS_URL),
      say: (l) => lines.push(l),
    });
    // The workload ran, with data, and each scheduled fault happened and was recovered from.
    expect(report.requests).toBeGreaterThan(200);
    expect(report.ledger.length).toBeGreaterThan(150);
    expect(report.faults.map((f) => f.what.split(' ')[0])).toEqual(['socialcare', 'gateway', ...(process.env.REDIS_URL ? ['Redis'] : [])]);
    expect(report.outcomes.some((o) => o.codes.includes('AGENCY_UNAVAILABLE') || o.status === 0)).toBe(true);
    const failed = report.checks.filter((c) => !c.ok).map((c) => `${c.name}: ${c.detail}`);
    expect({ failed, lines: failed.length ? lines : [] }).toEqual({ failed: [], lines: [] });
    expect(report.checks).toHaveLength(8);
    // A minute is all warm-up: memory is shown, and judged only in runs of four minutes or more (test/unit/soak-troughs.test.ts).
    expect(report.checks.find((c) => c.name.startsWith('resident memory'))!.name).toMatch(/shown, not judged/);
  }, 400_000);
});
