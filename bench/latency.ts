import { syntheticNhsNumbers } from '../synthetic';
import type { Backend } from '../test/start-federation';
import { post, startFederation } from '../test/start-federation';
import { median } from './stats';

/**
 * `npx tsx bench/latency.ts [pglite|postgres]`: one request at a time, alternating between a federation
 * with authorisation enforced and one without, and the median latency of each. Less exposed to a shared
 * machine's noise than throughput; read it beside `npm run bench`.
 */
(async () => {
  const backend = (process.argv[2] ?? 'postgres') as Backend;
  const on = await startFederation({ backend, children: 2000 });
  const off = await startFederation({ backend, children: 2000, authorizationMode: 'off' });
  const numbers = syntheticNhsNumbers();
  const n = Array.from({ length: 500 }, () => numbers.next().value as string);
  const full =
    '{ child(nhsNumber: "9990000018") { nhsNumber name { given family } dateOfBirth gender address { line1 town postcode } nhsNumberStatus restricted health { registeredGp { practiceName odsCode } healthVisitor { name phone } immunisations { vaccine date } emergencyAttendances { date hospital reason } conditions { name since } } socialCare { status statusSince localAuthority { name dutyPhone } allocatedWorker { name phone team } referrals { date source reason } caseNotes { date author text } } housing { matchConfidence matchedOn tenancy { address type landlord startDate } household { name relationship } temporaryAccommodation antisocialBehaviourCases { date category } rentArrears } education { school { name urn designatedSafeguardingLead { name phone } } attendanceRate unauthorisedAbsences exclusions { date type days } senSupport ehcp freeSchoolMeals } } }';
  const caseload =
    'query ($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber name { given family } dateOfBirth health { registeredGp { practiceName } conditions { name } } socialCare { status allocatedWorker { name } } housing { matchConfidence tenancy { landlord } rentArrears } education { school { name } attendanceRate } } }';
  for (const [label, q, v, reps] of [
    ['full view', full, undefined, 60],
    ['caseload', caseload, { n }, 40],
  ] as const) {
    const times: Record<string, number[]> = { on: [], off: [] };
    for (const [, f] of [
      ['on', on],
      ['off', off],
    ] as const)
      for (let i = 0; i < 5; i++) await post(f.gatewayUrl, { query: q, variables: v }, await f.authHeaders());
    for (let i = 0; i < reps; i++)
      for (const [k, f] of [
        ['on', on],
        ['off', off],
      ] as const) {
        const h = await f.authHeaders();
        const t = performance.now();
        await post(f.gatewayUrl, { query: q, variables: v }, h);
        times[k]!.push(performance.now() - t);
      }
    const m = median;
    process.stdout.write(
      `${label}: median ms authz on ${m(times.on!).toFixed(1)}, off ${m(times.off!).toFixed(1)}; off/on ${(m(times.off!) / m(times.on!)).toFixed(3)}\n`,
    );
  }
  await on.stop();
  await off.stop();
})().catch((error: Error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});
