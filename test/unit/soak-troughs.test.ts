import { rssCheck } from '../../tools/soak/checks';
import { troughs } from '../../tools/soak/run-soak';
import type { SoakFederation } from '../../tools/soak/soak-federation';

const sample = (t: number, mb: number) => ({ t, mb: { identity: mb } });

describe("the soak's memory windows", () => {
  it('are ten, the last ending at the last sample, however the run length divides', () => {
    // A 25-minute run sampled every 5 s, and one more sample at the very end (after the last requests were answered).
    const end = 1500.000123;
    const samples = [...Array.from({ length: 301 }, (_, i) => sample(i * 5, 150 + (i % 2) * 40)), sample(end, 190)];
    const windows = troughs(samples, 120, end);
    expect(windows).toHaveLength(10);
    expect(windows.at(-1)!.at).toBe('1362–1500 s');
    // Each window's value is its low, not the sample at its end.
    expect(windows.map((w) => w.mb.identity)).toEqual(Array(10).fill(150));
  });

  it('show growth that is kept', () => {
    const samples = Array.from({ length: 121 }, (_, i) => sample(i * 5, 100 + i));
    const windows = troughs(samples, 0, 600);
    expect(windows[0]!.mb.identity).toBe(100);
    expect(windows.at(-1)!.mb.identity).toBe(100 + 108);
  });

  it('are at least 10 s long in a short run', () => {
    const samples = Array.from({ length: 25 }, (_, i) => sample(i * 2.5, 100));
    expect(troughs(samples, 12, 60)).toHaveLength(4);
  });
});

describe("the soak's memory check", () => {
  const started = 1_000_000;
  // Only what the check reads of the federation: its processes, and when each was last started.
  const federation = {
    names: () => ['identity', 'socialcare'],
    startedAt: (name: string) => (name === 'socialcare' ? started + 200_000 : started),
  } as unknown as SoakFederation;
  const windows = [
    { at: '120–168 s', mb: { identity: 160, socialcare: 150 } },
    { at: '552–600 s', mb: { identity: 180, socialcare: 40 } },
  ];

  it('holds a process that was not restarted to 10 % growth from minute 2', () => {
    const check = rssCheck(windows, federation, started, 120, true);
    expect(check.ok).toBe(false);
    expect(check.detail).toContain('identity 160 → 180 MB (+12.5 %)');
    expect(check.detail).toContain('socialcare 40 MB at the end (restarted during the run)');
    expect(rssCheck([windows[0]!, { at: '552–600 s', mb: { identity: 175, socialcare: 40 } }], federation, started, 120, true).ok).toBe(true);
  });

  it("shows a short run's memory without judging it", () => {
    const check = rssCheck(windows, federation, started, 12, false);
    expect(check.ok).toBe(true);
    expect(check.name).toMatch(/shown, not judged in a run under 4 minutes/);
    expect(check.detail).toContain('identity 160 → 180 MB');
  });
});
