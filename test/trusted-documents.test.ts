import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_TRUSTED_DOCUMENTS_DIR, loadGatewayConfig, loadTrustedDocumentManifests } from '../gateway';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { CLIENTS } from '../tools/codegen/clients';
import { EXPORT_CLIENT_NAME, exportCaseload } from '../tools/caseload-export/export';
import { documentHash, operations, WEB_CLIENT_NAME } from '../web';
import { post, startFederation, type Federation } from './start-federation';

const root = join(__dirname, '..');
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const manifests = loadTrustedDocumentManifests(DEFAULT_TRUSTED_DOCUMENTS_DIR);
const byHash = (hash: string, variables: Record<string, unknown> = {}) => ({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
const FREE_FORM = '{ child(nhsNumber: "9990000018") { name { given } } }';

describe('what GraphQL Code Generator writes for each client', () => {
  // GraphQL Code Generator is ES modules that jest's CommonJS cannot load: it runs as npm run codegen does.
  it('is what the committed operations and API schema generate: run npm run codegen after changing either', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'tools/codegen/cli.ts', '--check'], { cwd: root });
    expect(stdout).toBe(`${CLIENTS.length * 2} generated files are up to date\n`);
  }, 60_000);

  it('fails the check, naming the file, when an operation changed and nothing was regenerated', async () => {
    const path = join(root, 'trusted-documents', `${WEB_CLIENT_NAME}.json`);
    const committed = readFileSync(path, 'utf8');
    writeFileSync(path, committed.replace('"', '"0'));
    try {
      const failed = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'tools/codegen/cli.ts', '--check'], { cwd: root }).then(
        () => undefined,
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed?.code).toBe(1);
      expect(failed?.stderr).toContain(`trusted-documents/${WEB_CLIENT_NAME}.json`);
    } finally {
      writeFileSync(path, committed);
    }
  }, 60_000);

  it('registers every operation the web app has, each under the SHA-256 of its text', () => {
    const web = manifests.get(WEB_CLIENT_NAME)!;
    expect(Object.values(operations).map((document) => web.has(documentHash(document)))).toEqual(Object.values(operations).map(() => true));
    for (const [hash, document] of web) expect(sha256(document)).toBe(hash);
    expect([...manifests.keys()].sort()).toEqual(CLIENTS.map((c) => c.name).sort());
  });
});

describe('loading trusted-documents manifests', () => {
  const folder = (files: Record<string, string>) => {
    const dir = mkdtempSync(join(tmpdir(), 'cv-trusted-'));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content);
    return dir;
  };

  it("refuses a manifest in which a hash is not its document's, naming the file and the hash", () => {
    const wrong = sha256('query A { __typename }');
    const dir = folder({ 'reports.json': JSON.stringify({ [wrong]: 'query B { __typename }' }) });
    expect(() => loadTrustedDocumentManifests(dir)).toThrow(`reports.json: ${wrong} is not the SHA-256 of its document`);
  });

  it('refuses a manifest that is not JSON, or not hash → document, or a file name that is not a client name', () => {
    expect(() => loadTrustedDocumentManifests(folder({ 'a.json': '{' }))).toThrow(/a\.json: not JSON/);
    expect(() => loadTrustedDocumentManifests(folder({ 'a.json': JSON.stringify({ abc: 'query { x }' }) }))).toThrow(
      /"abc": expected a SHA-256 in lower-case hex/,
    );
    expect(() => loadTrustedDocumentManifests(folder({ 'Bad Name.json': '{}' }))).toThrow(/"Bad Name" is not a client name/);
    expect(() => loadTrustedDocumentManifests(join(tmpdir(), 'cv-no-such-folder'))).toThrow(/TRUSTED_DOCUMENTS_DIR=".*cv-no-such-folder": no such folder/);
  });

  it('reads one client per file', () => {
    const document = 'query Mine { __typename }';
    const loaded = loadTrustedDocumentManifests(folder({ 'second-client.json': JSON.stringify({ [sha256(document)]: document }), 'notes.txt': 'ignored' }));
    expect([...loaded.keys()]).toEqual(['second-client']);
    expect(loaded.get('second-client')!.get(sha256(document))).toBe(document);
  });
});

describe("TRUSTED_DOCUMENTS in the gateway's configuration", () => {
  const base = { AUTH_JWKS_PATH: '/keys.json' };
  it('enforces outside development, allows in it, and says what it expected', () => {
    expect(loadGatewayConfig(base).trustedDocuments).toBe('enforce');
    expect(loadGatewayConfig({ ...base, NODE_ENV: 'production' }).trustedDocuments).toBe('enforce');
    expect(loadGatewayConfig({ ...base, NODE_ENV: 'development' }).trustedDocuments).toBe('allow');
    expect(loadGatewayConfig({ ...base, NODE_ENV: 'development', TRUSTED_DOCUMENTS: 'enforce' }).trustedDocuments).toBe('enforce');
    expect(loadGatewayConfig(base).trustedDocumentsDir).toBe(DEFAULT_TRUSTED_DOCUMENTS_DIR);
    expect(() => loadGatewayConfig({ ...base, TRUSTED_DOCUMENTS: 'off' })).toThrow(/TRUSTED_DOCUMENTS="off": expected enforce or allow/);
  });
});

describe('a gateway enforcing trusted documents, over the real agencies', () => {
  let federation: Federation;
  beforeAll(async () => {
    federation = await startFederation({ gateway: { trustedDocuments: { mode: 'enforce', manifests } } });
  }, 120_000);
  afterAll(() => federation?.stop());

  const ask = async (body: unknown, client?: string, as: Parameters<Federation['authHeaders']>[0] = {}) =>
    post(federation.gatewayUrl, body, { ...(await federation.authHeaders(as)), ...(client ? { 'apollographql-client-name': client } : {}) });
  const requestsToAgencies = () => Object.values(federation.agencies).reduce((n, a) => n + a.requests(), 0);

  it('refuses a free-form operation with a stable code, before any agency is asked', async () => {
    federation.resetCounts();
    const { status, body } = await ask({ query: FREE_FORM }, WEB_CLIENT_NAME);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors).toEqual([
      {
        message: expect.stringMatching(/^Only registered operations run here: send a registered operation by its hash/),
        extensions: { code: 'TRUSTED_DOCUMENT_REQUIRED' },
      },
    ]);
    expect(requestsToAgencies()).toBe(0);
  });

  it('refuses even an operation that is not valid GraphQL as unregistered: nothing the client wrote is parsed', async () => {
    const { body } = await ask({ query: '{ child(' });
    expect(body.errors![0]!.extensions!.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
  });

  it("runs the web app's registered single view, sent by its hash alone", async () => {
    federation.resetCounts();
    const { status, body } = await ask(byHash(documentHash(operations.childView), { nhsNumber: '9990000018' }), WEB_CLIENT_NAME);
    expect(status).toBe(200);
    expect(body.data.child.name).toEqual({ given: 'Amelia', family: 'Hart' });
    expect(body.data.child.socialCare.allocatedWorker.name).toBe('Sam Jones');
    expect(requestsToAgencies()).toBeGreaterThanOrEqual(5);
  });

  it("keeps each client to its own manifest: the web app's hash is unknown to the export, and to an unnamed client", async () => {
    const hash = documentHash(operations.childView);
    for (const client of [EXPORT_CLIENT_NAME, 'someone-else', undefined]) {
      const { status, body } = await ask(byHash(hash, { nhsNumber: '9990000018' }), client);
      expect({ client, status, code: body.errors?.[0]?.extensions?.code, data: body.data }).toEqual({
        client,
        status: 400,
        code: 'TRUSTED_DOCUMENT_NOT_FOUND',
        data: undefined,
      });
    }
  });

  it('lets no client register an operation: a hash sent with its text is still not run, then or later', async () => {
    const text = 'query Mine { child(nhsNumber: "9990000018") { name { given } } }';
    const first = await ask({ query: text, ...byHash(sha256(text)) }, WEB_CLIENT_NAME);
    expect(first.body.errors![0]!.extensions!.code).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
    const again = await ask(byHash(sha256(text)), WEB_CLIENT_NAME);
    expect(again.body.errors![0]!.extensions!.code).toBe('TRUSTED_DOCUMENT_NOT_FOUND');
  });

  it('runs the registered document, not a different text sent beside its hash', async () => {
    const hash = documentHash(operations.childView);
    const { body } = await ask({ query: '{ __schema { types { name } } }', ...byHash(hash, { nhsNumber: '9990000018' }) }, WEB_CLIENT_NAME);
    expect(Object.keys(body.data)).toEqual(['child']);
  });

  it('refuses a free-form GET as well', async () => {
    const url = `${federation.gatewayUrl}?query=${encodeURIComponent(FREE_FORM)}`;
    const response = await fetch(url, { headers: { ...(await federation.authHeaders()), 'apollo-require-preflight': 'true' } });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { errors: { extensions: { code: string } }[] }).errors[0]!.extensions.code).toBe('TRUSTED_DOCUMENT_REQUIRED');
  });

  it('serves a second client, the caseload export, from its own manifest', async () => {
    const token = (await federation.authHeaders({ persona: 'sw.jones', purpose: 'safeguarding' })).authorization!.replace(/^Bearer /, '');
    const csv = await exportCaseload({ url: federation.gatewayUrl, token, purpose: 'safeguarding' });
    const lines = csv.trimEnd().split('\r\n');
    expect(lines[0]).toBe('NHS number,Given name,Family name,Date of birth,Social care status,Status since,Allocated social worker,Team');
    expect(lines.length).toBeGreaterThan(1);
    expect(lines.find((l) => l.startsWith('9990000018,'))).toMatch(/^9990000018,Amelia,Hart,\d{4}-\d\d-\d\d,CHILD_PROTECTION_PLAN,\d{4}-\d\d-\d\d,Sam Jones,/);
  });

  it('refuses the export to a GP, saying why: no caseload is theirs to see', async () => {
    const token = (await federation.authHeaders({ persona: 'gp.smith', purpose: 'direct-care' })).authorization!.replace(/^Bearer /, '');
    await expect(exportCaseload({ url: federation.gatewayUrl, token, purpose: 'direct-care' })).rejects.toThrow(/not disclosed \(FORBIDDEN\)/);
  });

  it('shows a browser a static page of its own at /graphql: no script and nothing from a CDN', async () => {
    const response = await fetch(federation.gatewayUrl, { headers: { accept: 'text/html' } });
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain('<h1>The child view gateway</h1>');
    expect(html).toContain('Only operations a client has registered run here');
    expect(html).not.toMatch(/<script|cdn|apollographql\.com|https?:\/\//i);
    const agency = await (await fetch(federation.agencies.identity!.url, { headers: { accept: 'text/html' } })).text();
    expect(agency).toContain('<h1>The identity agency&#39;s subgraph</h1>');
    expect(agency).not.toMatch(/<script|cdn|apollographql\.com|https?:\/\//i);
  });
});
