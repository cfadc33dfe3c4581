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

  it('keeps the registry a list: it names no module but the kit\'s types, and loads an agency\'s code only when asked', () => {
    const named = imports.filter((i) => inside(i.from, 'registry') && !inside(i.target, 'registry') && !i.target.startsWith('node:'));
    expect(named.map((i) => i.target)).toEqual(['shared']);
    expect(readFileSync(join(root, 'registry', 'load-agencies.ts'), 'utf8')).toMatch(/^import type \{[^}]+\} from '\.\.\/shared';$/m);
  });
});
