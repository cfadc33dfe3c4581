import { syntheticNhsNumbers } from './synthetic';
import { startFederation } from './test/start-federation';
const caseload = `query Caseload($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber name { given family } dateOfBirth
  health { registeredGp { practiceName } conditions { name } } socialCare { status allocatedWorker { name } }
  housing { matchConfidence tenancy { landlord } rentArrears } education { school { name } attendanceRate } } }`;
async function main() {
  const on = await startFederation({ backend: 'postgres', children: 2000 });
  const off = await startFederation({ backend: 'postgres', children: 2000, audit: 'off' });
  const numbers = syntheticNhsNumbers();
  const n = Array.from({ length: 500 }, () => numbers.next().value as string);
  const t: Record<string, number[]> = { on: [], off: [] };
  for (let i = 0; i < 25; i++) for (const [k, f] of [['on', on], ['off', off]] as const) {
    const s = performance.now(); await f.queryGateway(caseload, { n }, { persona: 'sw.jones', purpose: 'safeguarding' }); if (i >= 5) t[k]!.push(performance.now() - s);
  }
  const m = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  console.error('median on', m(t.on!).toFixed(1), 'off', m(t.off!).toFixed(1));
  await on.stop(); await off.stop();
}
main();
