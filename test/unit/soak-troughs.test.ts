import { troughs } from '../../tools/soak/run-soak';

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
