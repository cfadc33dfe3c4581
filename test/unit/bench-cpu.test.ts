import { cpuPerRequest, cpuSnapshot, type CpuSnapshot } from '../../bench/cpu';

const snapshot = (mainMs: number, processMs: number, postgres: [string, number][]): CpuSnapshot => ({
  mainMs,
  processMs,
  postgres: new Map(postgres),
  autovacuum: new Set(),
});

describe("the bench's CPU per request", () => {
  it('divides what each part spent between the snapshots by the requests served', () => {
    const cost = cpuPerRequest(snapshot(1000, 3000, [['11', 500]]), snapshot(1900, 4500, [['11', 800]]), 100);
    expect(cost).toEqual({ mainMs: 9, processMs: 15, postgresMs: 3 });
  });

  it('counts a PostgreSQL backend that started during the run from zero, and one that ended not at all', () => {
    // 12 ended (its time is lost with it), 13 started and spent 40 ms, 11 spent 60 ms.
    const cost = cpuPerRequest(
      snapshot(0, 0, [
        ['11', 100],
        ['12', 70],
      ]),
      snapshot(0, 0, [
        ['11', 160],
        ['13', 40],
      ]),
      10,
    );
    expect(cost.postgresMs).toBe(10);
  });

  it('reports nothing per request when no request was served', () => {
    expect(cpuPerRequest(snapshot(0, 0, []), snapshot(50, 80, [['11', 20]]), 0)).toEqual({ mainMs: 0, processMs: 0, postgresMs: 0 });
  });

  it("reads this process's main thread from /proc, and sees the thread's own work", () => {
    const before = cpuSnapshot();
    // Linux is what the bench and CI run on; elsewhere the bench reports throughput alone.
    expect(before).not.toBeNull();
    // Spin until the process has spent 150 ms of CPU, however busy the machine is (other test workers share it).
    const started = process.cpuUsage();
    const deadline = Date.now() + 20_000;
    while (process.cpuUsage(started).user < 150_000 && Date.now() < deadline);
    const after = cpuSnapshot()!;
    expect(process.cpuUsage(started).user).toBeGreaterThanOrEqual(150_000);
    // Nearly all of it on this thread, read in 10 ms ticks.
    expect(after.mainMs - before!.mainMs).toBeGreaterThanOrEqual(100);
    expect(after.processMs).toBeGreaterThanOrEqual(after.mainMs - 20);
  });
});
