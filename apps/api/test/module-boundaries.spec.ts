/**
 * The API's concept folders (apps/api/src/<folder>) meet only through each other's index.ts, and
 * the graph of which folder imports which has no cycle. Read from the source files as they are:
 * every static `import … from`, `export … from` and dynamic `import()` with a relative specifier.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const source = fileURLToPath(new URL('../src/', import.meta.url));
const specifiers = /(?:import|export)\s[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

function sourceFiles(directory: string): string[] {
  return readdirSync(directory, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(directory, entry.name);
    return entry.isDirectory() ? sourceFiles(full) : entry.name.endsWith('.ts') ? [full] : [];
  });
}

/** The concept folder of a path under src, or null for the files at its root (the composition root). */
function folderOf(file: string): string | null {
  const relative = path.relative(source, file);
  return relative.startsWith('..') || !relative.includes(path.sep) ? null : (relative.split(path.sep)[0] as string);
}

interface Import {
  from: string;
  target: string;
}

function crossFolderImports(): Import[] {
  return sourceFiles(source).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(specifiers)]
      .map((match) => match[1] ?? match[2] ?? '')
      .filter((specifier) => specifier.startsWith('.'))
      .map((specifier) => ({ from: file, target: path.resolve(path.dirname(file), specifier) }))
      .filter(({ from, target }) => folderOf(from) !== null && folderOf(target) !== null && folderOf(from) !== folderOf(target)),
  );
}

/** Every cycle's folders, as strongly connected components of more than one folder (Tarjan). */
function cycles(edges: Map<string, Set<string>>): string[][] {
  const order = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const found: string[][] = [];
  const visit = (node: string): void => {
    order.set(node, order.size);
    low.set(node, order.get(node)!);
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (!order.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node)!, low.get(next)!));
      } else if (stack.includes(next)) {
        low.set(node, Math.min(low.get(node)!, order.get(next)!));
      }
    }
    if (low.get(node) === order.get(node)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        component.push(member);
      } while (member !== node);
      if (component.length > 1) {
        found.push(component.sort());
      }
    }
  };
  for (const node of edges.keys()) {
    if (!order.has(node)) {
      visit(node);
    }
  }
  return found;
}

describe('API module boundaries', () => {
  const imports = crossFolderImports();

  it('finds the imports between folders it checks', () => {
    expect(imports.length).toBeGreaterThan(50);
  });

  it('should reach another concept folder only through its index.ts', () => {
    const deep = imports
      .filter(({ target }) => target !== path.join(source, folderOf(target)!, 'index.ts'))
      .map(({ from, target }) => `${path.relative(source, from)} → ${path.relative(source, target)}`);
    expect(deep).toEqual([]);
  });

  it('should have no import cycle between concept folders', () => {
    const edges = new Map<string, Set<string>>();
    for (const { from, target } of imports) {
      const edge = edges.get(folderOf(from)!) ?? new Set<string>();
      edge.add(folderOf(target)!);
      edges.set(folderOf(from)!, edge);
    }
    expect(cycles(edges)).toEqual([]);
  });

  it('should tell a cycle when there is one', () => {
    const edges = new Map([
      ['oauth', new Set(['sts'])],
      ['sts', new Set(['http', 'oauth'])],
      ['http', new Set<string>()],
    ]);
    expect(cycles(edges)).toEqual([['oauth', 'sts']]);
  });
});
