import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

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

  it('keeps each subgraph out of every other subgraph', () => {
    const crossing = imports.filter((i) => {
      const [, agency] = i.from.split(sep);
      return i.from.startsWith('subgraphs') && inside(i.target, 'subgraphs') && !inside(i.target, join('subgraphs', agency!));
    });
    expect(crossing).toEqual([]);
  });

  it('keeps the subgraph kit free of any agency, the gateway and the synthetic seed', () => {
    const leaks = imports.filter((i) => inside(i.from, 'shared') && ['subgraphs', 'gateway', 'synthetic', 'dev'].some((f) => inside(i.target, f)));
    expect(leaks).toEqual([]);
  });

  it('gives the gateway no database and no agency code', () => {
    const leaks = imports.filter((i) => inside(i.from, 'gateway') && (inside(i.target, 'subgraphs') || ['pg', '@electric-sql/pglite'].includes(i.target)));
    expect(leaks).toEqual([]);
  });

  it('gives the web app no database and no agency code: it is a client of the graph like any other', () => {
    expect(imports.filter((i) => i.from.startsWith('web')).length).toBeGreaterThan(10);
    const leaks = imports.filter((i) => inside(i.from, 'web') && (inside(i.target, 'subgraphs') || inside(i.target, 'synthetic') || ['pg', '@electric-sql/pglite', 'redis'].includes(i.target)));
    expect(leaks).toEqual([]);
  });

  it('imports another folder only through its index.ts', () => {
    const tops = ['gateway', 'shared', 'synthetic'];
    const deep = imports.filter((i) => tops.some((t) => inside(i.target, t) && i.target !== t && !inside(i.from, t)));
    expect(deep).toEqual([]);
  });

  it('keeps development code (dev/) out of what is deployed and out of the operators\' tools', () => {
    const leaks = imports.filter((i) => ['registry', 'gateway', 'shared', 'subgraphs', 'synthetic', 'web', 'tools'].some((f) => inside(i.from, f)) && inside(i.target, 'dev'));
    expect(leaks).toEqual([]);
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

  it('would see a cycle between rooms, such as the policy file reading the access log\'s policies from the audit', () => {
    const loop = { from: join('shared', 'policy', 'policy-file.ts'), specifier: '../audit', target: join('shared', 'audit') };
    const cycle = firstCycle(roomGraph([...imports, loop]));
    expect(cycle?.[0]).toBe(cycle?.at(-1));
    expect(new Set(cycle)).toEqual(new Set(['policy', 'audit']));
  });

  it('keeps the registry a list: it names no module but the kit\'s types, and loads an agency\'s code only when asked', () => {
    const named = imports.filter((i) => inside(i.from, 'registry') && !inside(i.target, 'registry') && !i.target.startsWith('node:'));
    expect(named.map((i) => i.target)).toEqual(['shared']);
    expect(readFileSync(join(root, 'registry', 'load-agencies.ts'), 'utf8')).toMatch(/^import type \{[^}]+\} from '\.\.\/shared';$/m);
  });
});
