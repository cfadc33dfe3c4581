import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { ESLint } from 'eslint';

const root = resolve(__dirname, '..', '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Every relative import in the repository's source, resolved to the folder path it names. */
const imports = ['registry', 'gateway', 'shared', 'subgraphs', 'synthetic', 'dev', 'bench', 'test', 'tools', 'web'].flatMap((top) =>
  sourceFiles(join(root, top)).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/(?:from|import\()\s*'([^']+)'/g)].map((m) => ({
      from: relative(root, file),
      specifier: m[1]!,
      target: m[1]!.startsWith('.') ? relative(root, resolve(dirname(file), m[1]!)) : m[1]!,
    })),
  ),
);

const inside = (path: string, folder: string) => path === folder || path.startsWith(folder + sep);

/**
 * shared/'s rooms and the rooms each may import (docs/architecture.md, "Where code lives"): a room imports another
 * only through that room's index.ts, and never shared/index.ts, which is the public face for code outside shared/.
 */
const ROOMS: Record<string, readonly string[]> = {
  common: [],
  database: [],
  matching: [],
  policy: ['common'],
  audit: ['common', 'database', 'policy'],
  kit: ['common', 'database', 'policy', 'audit', 'matching'],
};
const roomOf = (path: string): string | undefined => (inside(path, 'shared') ? path.split(sep)[1] : undefined);

/** The first cycle in a graph of names, as the path that closes it (`['a', 'b', 'a']`), or null. */
function firstCycle(graph: ReadonlyMap<string, ReadonlySet<string>>): string[] | null {
  const done = new Set<string>();
  const visit = (node: string, path: string[]): string[] | null => {
    if (path.includes(node)) return [...path.slice(path.indexOf(node)), node];
    if (done.has(node)) return null;
    for (const next of graph.get(node) ?? []) {
      const cycle = visit(next, [...path, node]);
      if (cycle) return cycle;
    }
    done.add(node);
    return null;
  };
  for (const node of graph.keys()) {
    const cycle = visit(node, []);
    if (cycle) return cycle;
  }
  return null;
}

/** Which rooms each room's files import (type-only imports and re-exports included). */
function roomGraph(edges: readonly { from: string; target: string }[]): Map<string, Set<string>> {
  const graph = new Map<string, Set<string>>();
  for (const { from, target } of edges) {
    const [a, b] = [roomOf(from), roomOf(target)];
    if (!a || !b || a === b || !(a in ROOMS)) continue;
    graph.set(a, (graph.get(a) ?? new Set()).add(b));
  }
  return graph;
}

describe('boundaries between the parts of the project', () => {
  it('finds the imports it checks', () => {
    expect(imports.filter((i) => i.from.startsWith('subgraphs')).length).toBeGreaterThan(20);
  });

  // The lines between the deployed parts are held by lint (no-restricted-imports in eslint.config.mjs), which is proven
  // here to hold them: a file that crosses one is reported. The tests below check what lint does not.
  it('has lint report each crossing: between agencies, into the kit, the gateway or the web app, into dev/, past an index', async () => {
    const crossings: [file: string, specifier: string][] = [
      ['subgraphs/health/bad.ts', '../police'],
      ['subgraphs/health/bad.ts', '../../subgraphs/police/store'],
      ['shared/policy/bad.ts', '../../subgraphs/health'],
      ['shared/policy/bad.ts', '../../gateway'],
      ['shared/policy/bad.ts', '../../synthetic'],
      ['gateway/bad.ts', 'pg'],
      ['gateway/bad.ts', '@electric-sql/pglite'],
      ['gateway/bad.ts', '../subgraphs/health'],
      ['web/bad.ts', 'redis'],
      ['web/bad.ts', '../subgraphs/identity'],
      ['web/bad.ts', '../synthetic'],
      ['web/bad.ts', '../dev/personas'],
      ['tools/audit/bad.ts', '../../dev/personas'],
      ['registry/bad.ts', '../dev/personas'],
      ['gateway/bad.ts', '../shared/audit'],
      ['web/bad.ts', '../gateway/config'],
      ['subgraphs/health/bad.ts', '../../shared/kit'],
    ];
    // Only this rule, and without type information: it reads import paths, and the files are not on disk.
    const eslint = new ESLint({
      cwd: root,
      ruleFilter: ({ ruleId }) => ruleId === 'no-restricted-imports',
      overrideConfig: { languageOptions: { parserOptions: { projectService: false } } },
    });
    const reported = async (filePath: string, specifier: string) => {
      const [result] = await eslint.lintText(`import '${specifier}';\n`, { filePath: join(root, filePath) });
      return result!.messages.some((m) => m.ruleId === 'no-restricted-imports');
    };
    const missed = [];
    for (const [file, specifier] of crossings) if (!(await reported(file, specifier))) missed.push(`${file}: ${specifier}`);
    expect(missed).toEqual([]);
    expect(await reported('gateway/good.ts', '../shared')).toBe(false);
  });

  // Lint checks this for what is deployed and the tools; tests, benchmarks and development code are checked here.
  it('has tests, benchmarks and development code import another folder only through its index.ts', () => {
    const tops = ['gateway', 'shared', 'synthetic'];
    const deep = imports.filter((i) => ['test', 'bench', 'dev'].some((f) => inside(i.from, f)) && tops.some((t) => inside(i.target, t) && i.target !== t));
    expect(deep).toEqual([]);
  });

  it('gives every file of shared/ a room, and shared/ no room but those listed', () => {
    const files = sourceFiles(join(root, 'shared')).map((file) => relative(root, file));
    expect(files.filter((file) => file !== join('shared', 'index.ts') && !(roomOf(file)! in ROOMS))).toEqual([]);
    expect(Object.keys(ROOMS).filter((room) => !files.some((file) => roomOf(file) === room))).toEqual([]);
  });

  it('lets a room of shared/ import another room only through its index.ts, and none the public face', () => {
    const crossing = imports.filter((i) => roomOf(i.from) && inside(i.target, 'shared') && roomOf(i.target) !== roomOf(i.from));
    expect(crossing.length).toBeGreaterThan(20);
    expect(crossing.filter((i) => i.target !== join('shared', roomOf(i.target) ?? '(the public face)'))).toEqual([]);
  });

  it('lets each room of shared/ import only the rooms it may', () => {
    const graph = roomGraph(imports);
    const undeclared = [...graph].flatMap(([room, targets]) => [...targets].filter((t) => !ROOMS[room]!.includes(t)).map((t) => `${room} → ${t}`));
    expect(undeclared).toEqual([]);
  });

  it('finds no cycle between the rooms of shared/', () => {
    expect(firstCycle(roomGraph(imports))).toBeNull();
  });

  it("would see a cycle between rooms, such as the policy file reading the access log's policies from the audit", () => {
    const loop = { from: join('shared', 'policy', 'policy-file.ts'), specifier: '../audit', target: join('shared', 'audit') };
    const cycle = firstCycle(roomGraph([...imports, loop]));
    expect(cycle?.[0]).toBe(cycle?.at(-1));
    expect(new Set(cycle)).toEqual(new Set(['policy', 'audit']));
  });

  it("keeps the registry a list: it names no module but the kit's types, and loads an agency's code only when asked", () => {
    const named = imports.filter((i) => inside(i.from, 'registry') && !inside(i.target, 'registry') && !i.target.startsWith('node:'));
    expect(named.map((i) => i.target)).toEqual(['shared']);
    expect(readFileSync(join(root, 'registry', 'load-agencies.ts'), 'utf8')).toMatch(/^import type \{[^}]+\} from '\.\.\/shared';$/m);
  });
});
