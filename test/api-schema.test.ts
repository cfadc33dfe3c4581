import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSchema, parse, validate } from 'graphql';
import { apiSchemaSdl, breakingChanges, composeSupergraph, loadSubgraphUrls } from '../gateway';
import { readAgencySdl } from '../shared';

const root = join(__dirname, '..');
const committed = readFileSync(join(root, 'schema', 'api.graphql'), 'utf8');

function composedApiSchema(): string {
  const sources = loadSubgraphUrls({}).map((s) => ({ ...s, sdl: readAgencySdl(join(root, 'subgraphs', s.name), s.name) }));
  return apiSchemaSdl(composeSupergraph(sources));
}

describe('the client-facing API schema, schema/api.graphql', () => {
  it('is what the subgraphs compose to now (run `npm run compose` when it is not)', () => {
    expect(committed).toBe(composedApiSchema());
  });

  it('holds no federation internals, no policy directives and nothing @inaccessible', () => {
    expect(committed).toContain('type Query');
    expect(committed).toContain('searchChildren(');
    expect(committed).not.toMatch(/join__|link__|@policy|@key|_entities|_service|recordAccessAlerts|@inaccessible/);
  });

  it("is what the web app's operations are written against: each one is valid", () => {
    const schema = buildSchema(committed);
    const dir = join(root, 'web', 'operations');
    const files = readdirSync(dir).filter((f) => f.endsWith('.graphql'));
    expect(files.length).toBeGreaterThan(3);
    for (const file of files) {
      expect([file, validate(schema, parse(readFileSync(join(dir, file), 'utf8'))).map((e) => e.message)]).toEqual([file, []]);
    }
  });
});

describe('the breaking-change check against the committed API schema', () => {
  const before = `type Query { child(nhsNumber: ID!): Child search(name: String): [Child] }
    type Child { nhsNumber: ID! name: String gender: String }`;

  it('finds nothing to report when a nullable field or an optional argument is added', () => {
    expect(
      breakingChanges(
        before,
        `type Query { child(nhsNumber: ID!, asOf: String): Child search(name: String): [Child] }
      type Child { nhsNumber: ID! name: String gender: String school: String }`,
      ),
    ).toEqual([]);
  });

  it('reports a removed field, a removed type, a nullable field made non-null and an argument made required, each once', () => {
    // Renaming a type breaks every field that returned it, and the argument made required is reported too.
    const after = `type Query { child(nhsNumber: ID!): Person search(name: String!): [Person] }
      type Person { nhsNumber: ID! name: String! }`;
    const breaks = breakingChanges(before, after);
    expect(breaks).toEqual([
      'ARG_CHANGED_KIND: Query.search arg name has changed type from String to String!.',
      'FIELD_CHANGED_KIND: Query.child changed type from Child to Person.',
      'FIELD_CHANGED_KIND: Query.search changed type from [Child] to [Person].',
      'TYPE_REMOVED: Child was removed.',
    ]);
    expect(breakingChanges(before, before.replace('gender: String', ''))).toEqual(['FIELD_REMOVED: Child.gender was removed.']);
    expect(breakingChanges(before, before.replace('name: String gender', 'name: String! gender'))).toEqual([
      'FIELD_MADE_NON_NULL: Child.name changed type from String to String!.',
    ]);
    expect(breakingChanges(before, before.replace('child(nhsNumber: ID!)', 'child(nhsNumber: ID!, reason: String!)'))).toEqual([
      'REQUIRED_ARG_ADDED: A required arg reason on Query.child was added.',
    ]);
  });

  it('stops `npm run compose` from overwriting the committed schema with an unacknowledged break, naming it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cv-api-schema-'));
    const apiPath = join(dir, 'api.graphql');
    // A committed schema with a field the subgraphs no longer have: composing now would remove it.
    const withExtra = committed.replace('type ChildName {', 'type ChildName {\n  "A field that went away."\n  middle: String\n');
    writeFileSync(apiPath, withExtra);
    const run = () =>
      new Promise<{ code: number; stderr: string }>((resolve) => {
        execFile(
          process.execPath,
          ['--import', 'tsx', 'gateway/compose-cli.ts', '--out', join(dir, 'supergraph.graphql'), '--api-schema', apiPath],
          { cwd: root, timeout: 60_000 },
          (error, _out, stderr) => {
            resolve({ code: error ? Number(error.code ?? 1) : 0, stderr });
          },
        );
      });
    const refused = await run();
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('FIELD_REMOVED: ChildName.middle was removed.');
    expect(readFileSync(apiPath, 'utf8')).toBe(withExtra);
    expect(existsSync(join(dir, 'supergraph.graphql'))).toBe(false);
    writeFileSync(apiPath, committed);
    expect((await run()).code).toBe(0);
    expect(readFileSync(apiPath, 'utf8')).toBe(committed);
  }, 90_000);
});
