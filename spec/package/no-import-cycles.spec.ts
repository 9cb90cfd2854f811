import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const lib = resolve(__dirname, '..', '..', 'lib');

/** Every relative specifier a file imports or re-exports, type-only imports and `import()` included. */
const SPECIFIER = /(?:\bfrom|\bimport|\brequire)\s*\(?\s*['"](\.{1,2}\/[^'"]+|\.{1,2})['"]/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') && !path.endsWith('.d.ts') ? [path] : [];
  });
}

function resolveImport(from: string, specifier: string): string {
  const base = resolve(dirname(from), specifier);
  const candidates = [`${base}.ts`, join(base, 'index.ts'), base];
  const found = candidates.find((candidate) => existsSync(candidate) && statSync(candidate).isFile());
  if (found === undefined) throw new Error(`${relative(lib, from)} imports ${specifier}, which resolves to no file`);
  return found;
}

/** lib's import graph: each file (relative to lib) and the files it imports. */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(lib)) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(SPECIFIER)].map((match) =>
      relative(lib, resolveImport(file, match[1] as string)),
    );
    graph.set(relative(lib, file), [...new Set(targets)].sort());
  }
  return graph;
}

/**
 * The cycles of a graph, one per strongly connected component of more than one file (or a file that
 * imports itself), each shown as a path that closes on its first file: `a.ts → b.ts → a.ts`.
 */
export function findCycles(graph: ReadonlyMap<string, readonly string[]>): string[] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, counter);
    low.set(node, counter);
    counter++;
    stack.push(node);
    onStack.add(node);
    for (const next of graph.get(node) ?? []) {
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) as number, low.get(next) as number));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) as number, index.get(next) as number));
      }
    }
    if (low.get(node) === index.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop() as string;
        onStack.delete(member);
        component.push(member);
      } while (member !== node);
      if (component.length > 1 || (graph.get(node) ?? []).includes(node)) components.push(component);
    }
  };
  for (const node of [...graph.keys()].sort()) if (!index.has(node)) visit(node);
  return components.map((component) => cyclePath(graph, new Set(component))).sort();
}

/** One concrete cycle through a component, from its first file in sort order. */
function cyclePath(graph: ReadonlyMap<string, readonly string[]>, members: ReadonlySet<string>): string {
  const start = [...members].sort()[0] as string;
  const path = [start];
  const seen = new Set([start]);
  const walk = (node: string): boolean => {
    for (const next of graph.get(node) ?? []) {
      if (next === start) return true;
      if (!members.has(next) || seen.has(next)) continue;
      seen.add(next);
      path.push(next);
      if (walk(next)) return true;
      path.pop();
    }
    return false;
  };
  walk(start);
  return [...path, start].join(' → ');
}

describe('the import graph of lib/', () => {
  it('has no cycle, counting type-only imports', () => {
    expect(findCycles(importGraph())).toEqual([]);
  });

  it('keeps lib/facts a leaf: it imports only itself and lib/metadata, never lib/schema', () => {
    const graph = importGraph();
    const factsImports = [...graph].filter(([file]) => file.startsWith('facts/')).flatMap(([, targets]) => targets);
    expect(factsImports.length).toBeGreaterThan(0);
    expect(factsImports.filter((target) => !/^(facts|metadata)\//.test(target))).toEqual([]);
  });
});

describe('findCycles', () => {
  it('reports a cycle as a closed path, and a file that imports itself', () => {
    const graph = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts', 'd.ts']],
      ['d.ts', []],
      ['e.ts', ['e.ts']],
    ]);
    expect(findCycles(graph)).toEqual(['a.ts → b.ts → c.ts → a.ts', 'e.ts → e.ts']);
  });

  it('reports nothing for a graph without cycles', () => {
    expect(
      findCycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', []],
        ]),
      ),
    ).toEqual([]);
  });
});
