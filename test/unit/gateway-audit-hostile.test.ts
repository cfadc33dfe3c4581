import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { GraphQLRequestContext } from '@apollo/server';
import { parse, type GraphQLError, type OperationDefinitionNode } from 'graphql';
import { createGatewayAudit, gatewayAuditPlugin, operationSubjects, verifyGatewayAudit, type GatewayAuditEntry, type GatewayContext } from '../../gateway';
import { createLogger } from '../../shared';

const LINE_BOUND = 64 * 1024;
const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
const logger = createLogger('test', 'silent');
const freshPath = () => join(mkdtempSync(join(tmpdir(), 'cv-gw-hostile-')), 'audit.jsonl');
const rawLines = (path: string) => readFileSync(path, 'utf8').split('\n').filter(Boolean);
const lines = (path: string) => rawLines(path).map((l) => JSON.parse(l) as Record<string, any>);

const entry = (overrides: Partial<GatewayAuditEntry> = {}): GatewayAuditEntry => ({
  at: new Date().toISOString(),
  traceId: 't',
  caller: { sub: 'gp.smith', name: 'Dr Alex Smith', roles: ['gp'], org: 'Y00001' },
  purpose: 'direct-care',
  breakGlass: null,
  operation: { type: 'query', name: null, hash: 'h' },
  children: ['9990000018'],
  searches: [],
  filtered: [],
  ...overrides,
});

/** An object nested `depth` deep, built without recursion. */
const nested = (depth: number): Record<string, unknown> => {
  let value: Record<string, unknown> = { leaf: true };
  for (let i = 0; i < depth; i++) value = { a: value };
  return value;
};

/** A request context as Apollo Server hands it to the plugin, for an operation and its variables. */
const requestContext = (query: string, variables: Record<string, unknown> = {}): GraphQLRequestContext<GatewayContext> => {
  const operation = parse(query).definitions[0] as OperationDefinitionNode;
  return {
    request: { query, variables },
    operation,
    operationName: operation.name?.value ?? null,
    queryHash: sha256(query),
    contextValue: {
      authority: {
        caller: { sub: 'sw.jones', name: 'Sam Jones', roles: ['social-worker'], org: 'NS001', orgType: 'local-authority' },
        purpose: 'safeguarding',
        traceId: 'trace',
      },
      filtered: [],
    },
  } as unknown as GraphQLRequestContext<GatewayContext>;
};

/** Runs the audit plugin's hook for one request, as Apollo Server does before anything is fetched. */
const record = async (audit: ReturnType<typeof createGatewayAudit>, rc: GraphQLRequestContext<GatewayContext>): Promise<void> => {
  const hooks = await gatewayAuditPlugin({ audit, logger }).requestDidStart!(rc);
  await (hooks as { didResolveOperation(rc: unknown): Promise<void> }).didResolveOperation(rc);
};
/** The code of the error a request is refused with, or 'served'. */
const refusal = (served: Promise<void>): Promise<unknown> =>
  served.then(
    () => 'served',
    (error: GraphQLError) => error.extensions?.code,
  );

// A rejection nobody handles ends a Node process: none may come from the audit log, whatever the file holds.
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(() => process.on('unhandledRejection', onUnhandled));
afterAll(() => process.off('unhandledRejection', onUnhandled));
afterEach(async () => {
  await new Promise((resolve) => setTimeout(resolve, 20));
  expect(unhandled.splice(0)).toEqual([]);
});

describe('the gateway audit log, given hostile or careless input', () => {
  it('records a 300 KB string as its length and hash, in a short line that a restarted gateway continues', async () => {
    const path = freshPath();
    const family = 'x'.repeat(300_000);
    await createGatewayAudit({ path, logger }).append(entry({ searches: [{ family, dateOfBirth: '2019-05-14' }] }));
    await createGatewayAudit({ path, logger }).append(entry());
    expect(rawLines(path).map((l) => Buffer.byteLength(l) < LINE_BOUND)).toEqual([true, true]);
    expect(lines(path)[0]!.searches).toEqual([
      { family: { omitted: 'string', length: 300_000, start: 'x'.repeat(32), sha256: sha256(family) }, dateOfBirth: '2019-05-14' },
    ]);
    expect(await verifyGatewayAudit(path)).toEqual({ lines: 2, broken: null });
  });

  it('records a value nested 100,000 deep only to a few levels', async () => {
    const path = freshPath();
    const audit = createGatewayAudit({ path, logger });
    await audit.append(entry({ searches: [{ family: nested(100_000) }] }));
    await audit.append(entry());
    const [line] = rawLines(path);
    expect(Buffer.byteLength(line!)).toBeLessThan(1024);
    expect(line).toContain('"omitted":"object"');
    expect(await verifyGatewayAudit(path)).toEqual({ lines: 2, broken: null });
  });

  it('writes control characters and lone surrogates as U+FFFD', async () => {
    const path = freshPath();
    await createGatewayAudit({ path, logger }).append(
      entry({
        caller: { sub: 'a\u0000b', name: '\u001b[31mred', roles: ['gp'], org: 'o' },
        searches: [{ family: 'Ha\u0000rt\ud800', given: '\udc00x\u2028' }],
      }),
    );
    const text = readFileSync(path, 'utf8');
    // eslint-disable-next-line no-control-regex -- the log must hold no raw escape character
    expect(text).not.toMatch(/\\u00|\\ud|\\u2028|\u001b/);
    expect(lines(path)[0]).toMatchObject({
      caller: { sub: 'a\ufffdb', name: '\ufffd[31mred' },
      searches: [{ family: 'Ha\ufffdrt\ufffd', given: '\ufffdx\ufffd' }],
    });
    expect(await verifyGatewayAudit(path)).toEqual({ lines: 1, broken: null });
  });

  it('continues after a last line of 1 MB, written before lines were bounded', async () => {
    const path = freshPath();
    const { prevHash: _p, hash: _h, ...old } = { ...entry({ searches: [{ family: 'y'.repeat(1_000_000) }] }), prevHash: '', hash: '' };
    const hash = sha256(`${'0'.repeat(64)}|${JSON.stringify(old)}`);
    writeFileSync(path, `${JSON.stringify({ ...old, prevHash: '0'.repeat(64), hash })}\n`);
    await createGatewayAudit({ path, logger }).append(entry());
    expect(lines(path)[1]).toMatchObject({ prevHash: hash });
    expect(await verifyGatewayAudit(path)).toEqual({ lines: 2, broken: null });
  });

  it('removes a half-written last line (a crash during a write), records that in the chain, and carries on', async () => {
    const path = freshPath();
    await createGatewayAudit({ path, logger }).append(entry());
    const torn = '{"at":"2026-01-01T00:00:00.000Z","traceId":"cut-of';
    appendFileSync(path, torn);
    expect((await verifyGatewayAudit(path)).broken).toMatchObject({ line: 2, detail: expect.stringContaining('cut off') });
    await createGatewayAudit({ path, logger }).append(entry({ traceId: 'after' }));
    const [, record, after] = lines(path);
    expect(record).toMatchObject({ kind: 'torn', torn: { bytes: Buffer.byteLength(torn), sha256: sha256(torn) } });
    expect(after).toMatchObject({ traceId: 'after', prevHash: record!.hash });
    expect(await verifyGatewayAudit(path)).toEqual({ lines: 3, broken: null });
  });

  it('after a restart, refuses every operation while the last whole line is not a line of the chain, and serves again once it is removed', async () => {
    const path = freshPath();
    await createGatewayAudit({ path, logger }).append(entry());
    const good = readFileSync(path);
    appendFileSync(path, 'garbage that is not JSON\n');
    const audit = createGatewayAudit({ path, logger });
    const rc = () => requestContext('{ child(nhsNumber: "9990000018") { nhsNumber } }');
    expect(await refusal(record(audit, rc()))).toBe('AUDIT_UNAVAILABLE');
    expect(await refusal(record(audit, rc()))).toBe('AUDIT_UNAVAILABLE');
    expect(await verifyGatewayAudit(path)).toMatchObject({ broken: { line: 2, detail: expect.stringContaining('not JSON') } });
    writeFileSync(path, good);
    await record(audit, rc());
    expect(await verifyGatewayAudit(path)).toEqual({ lines: 2, broken: null });
  });

  it('refuses only the operation whose line cannot be written, and the next is recorded once the cause is gone', async () => {
    const path = freshPath();
    const audit = createGatewayAudit({ path, logger });
    await audit.append(entry({ traceId: 'first' }));
    renameSync(path, `${path}.aside`);
    mkdirSync(path);
    const rc = requestContext('{ child(nhsNumber: "9990000018") { nhsNumber } }');
    expect(await refusal(record(audit, rc))).toBe('AUDIT_UNAVAILABLE');
    rmdirSync(path);
    renameSync(`${path}.aside`, path);
    // What a write cut short (a full disk) leaves behind.
    appendFileSync(path, '{"at":"2026-01-01T00:00:00.000Z","tra');
    await record(audit, requestContext('{ child(nhsNumber: "9990000026") { nhsNumber } }'));
    expect(lines(path).map((l) => l.children ?? l.kind)).toEqual([['9990000018'], 'torn', ['9990000026']]);
    expect(await verifyGatewayAudit(path)).toEqual({ lines: 3, broken: null });
  });

  it('refuses an operation naming more than one line holds, recording how much it named', async () => {
    const path = freshPath();
    const audit = createGatewayAudit({ path, logger });
    const many = Array.from({ length: 6000 }, (_, i) => String(9_990_000_000 + i));
    const rc = requestContext('query Many($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber } }', { n: many });
    expect(await refusal(record(audit, rc))).toBe('BAD_USER_INPUT');
    const [line] = rawLines(path);
    expect(Buffer.byteLength(line!)).toBeLessThan(LINE_BOUND);
    expect(JSON.parse(line!)).toMatchObject({ children: [], tooLargeToRecord: { children: 6000, searches: 0, filtered: 0 } });
    expect(await verifyGatewayAudit(path)).toEqual({ lines: 1, broken: null });
  });

  it('keeps every line under the bound through the plugin, whatever the variables', async () => {
    const path = freshPath();
    const audit = createGatewayAudit({ path, logger });
    const search = 'query Find($f: String, $g: String) { searchChildren(family: $f, given: $g, dateOfBirth: "2019-05-14") { score } }';
    await record(audit, requestContext(search, { f: 'z'.repeat(300_000), g: nested(100_000) }));
    await record(
      audit,
      requestContext(search, {
        f: Array.from({ length: 100_000 }, () => 'w'.repeat(200)),
        g: Object.fromEntries(Array.from({ length: 10_000 }, (_, i) => [`k${i}`, i])),
      }),
    );
    await record(
      audit,
      requestContext('query Kids($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber } }', {
        n: ['9'.repeat(10_000), 'a\u0000', '\ud800', { a: nested(1000) }],
      }),
    );
    expect(rawLines(path).map((l) => Buffer.byteLength(l) < 8 * 1024)).toEqual([true, true, true]);
    const [long, wide, kids] = lines(path);
    expect(long!.searches[0].family).toMatchObject({ omitted: 'string', length: 300_000 });
    expect(wide!.searches[0].family.at(-1)).toMatchObject({ omitted: 'items' });
    expect(kids).toMatchObject({ children: [], malformedNhsNumbers: { count: 4, sha256: expect.stringMatching(/^[0-9a-f]{64}$/) } });
    expect(await verifyGatewayAudit(path)).toEqual({ lines: 3, broken: null });
  });
});

describe('the subjects of an operation', () => {
  it("reads integer NHS numbers, as GraphQL's ID type accepts them", () => {
    const { children, malformedNhsNumbers } = operationSubjects(requestContext('{ children(nhsNumbers: [9990000107, 9990000115]) { nhsNumber } }'));
    expect({ children, malformedNhsNumbers }).toEqual({ children: ['9990000107', '9990000115'], malformedNhsNumbers: null });
  });

  it('reads NHS numbers from variables whatever their JSON type, and keeps only ten digits', () => {
    const subjects = operationSubjects(
      requestContext('query($n: [ID!]!, $one: ID!) { a: children(nhsNumbers: $n) { nhsNumber } b: child(nhsNumber: $one) { nhsNumber } }', {
        n: [9990000107, '999 000 0115', '1'.repeat(10_000), 9.5, null, { x: 1 }],
        one: 9990000018,
      }),
    );
    expect(subjects.children).toEqual(['9990000107', '9990000115', '9990000018']);
    expect(subjects.fields.map((f) => [f.key, f.children])).toEqual([
      ['a', ['9990000107', '9990000115']],
      ['b', ['9990000018']],
    ]);
    expect(subjects.malformedNhsNumbers).toMatchObject({ count: 4 });
  });

  it('reads a single NHS number given for a list as a list of one, as GraphQL does', () => {
    expect(operationSubjects(requestContext('query($n: [ID!]!) { children(nhsNumbers: $n) { nhsNumber } }', { n: 9990000107 })).children).toEqual([
      '9990000107',
    ]);
  });

  it("bounds each search's arguments", () => {
    const { searches } = operationSubjects(
      requestContext('query($f: String) { searchChildren(family: $f, dateOfBirth: "2019-05-14") { score } }', { f: 'q'.repeat(300) }),
    );
    expect(searches).toEqual([
      { family: { omitted: 'string', length: 300, start: 'q'.repeat(32), sha256: sha256('q'.repeat(300)) }, dateOfBirth: '2019-05-14' },
    ]);
  });
});
