import { readFileSync } from 'node:fs';
import { verifyGatewayAudit } from '../gateway';
import { startFederation, type Federation } from './start-federation';

const AMELIA = '9990000018';
const OKAFOR = '9990000026';
const LINE_BOUND = 64 * 1024;
const FIND = 'query Find($f: String) { searchChildren(family: $f, dateOfBirth: "2019-05-14") { score } }';

describe('the gateway, given hostile and careless clients', () => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation({ children: 50 });
  }, 120_000);
  afterAll(() => federation?.stop());

  const lines = () => readFileSync(federation.gatewayAuditPath, 'utf8').split('\n').filter(Boolean);
  const lastLine = () => JSON.parse(lines().at(-1)!) as Record<string, any>;
  /** Posts a body as it is, for bodies a client can send but JSON.stringify cannot build. */
  const postRaw = async (body: string) => {
    const response = await fetch(federation.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await federation.authHeaders()) },
      body,
    });
    return { status: response.status, body: (await response.json()) as { data?: unknown; errors?: { extensions?: { code?: string } }[] } };
  };
  const stillServes = async () => {
    const { body } = await federation.queryGateway(`{ child(nhsNumber: "${AMELIA}") { name { given } } }`);
    expect(body).toEqual({ data: { child: { name: { given: 'Amelia' } } } });
  };

  it('records a 300 KB family name by its length and hash, and goes on serving', async () => {
    const family = 'x'.repeat(300_000);
    await federation.queryGateway(FIND, { f: family });
    expect(lastLine()).toMatchObject({
      operation: { name: 'Find' },
      searches: [{ family: { omitted: 'string', length: 300_000 }, dateOfBirth: '2019-05-14' }],
    });
    await stillServes();
  });

  it('records a variable nested 100,000 deep only to a few levels, and goes on serving', async () => {
    const depth = 100_000;
    const { body } = await postRaw(`{"query":${JSON.stringify(FIND)},"variables":{"f":${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}}}`);
    // A String variable given an object is refused before anything is fetched.
    expect(body.errors?.[0]?.extensions?.code).toBe('BAD_USER_INPUT');
    expect(lastLine()).toMatchObject({ operation: { name: 'Find' }, searches: [{ family: { a: { a: { a: { omitted: 'object' } } } } }] });
    await stillServes();
  });

  it('counts NHS numbers given as integers as the children they name', async () => {
    const { body } = await federation.queryGateway(`{ children(nhsNumbers: [${AMELIA}, ${OKAFOR}]) { nhsNumber } }`);
    expect(body).toEqual({ data: { children: [{ nhsNumber: AMELIA }, { nhsNumber: OKAFOR }] } });
    expect(lastLine().children).toEqual([AMELIA, OKAFOR]);
  });

  it('keeps every line short and the chain whole', async () => {
    expect(lines().filter((line) => Buffer.byteLength(line) >= LINE_BOUND)).toEqual([]);
    expect(await verifyGatewayAudit(federation.gatewayAuditPath)).toMatchObject({ broken: null });
  });
});
