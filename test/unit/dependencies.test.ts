import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { root } from '../support/service-process.js';

/**
 * The house rules for imports (.dependency-cruiser.cjs), every one held to zero: no cycles, pure
 * cores, queries only in repositories, other modules only through their index.
 */

interface Violation { from: string; to: string; rule: { name: string } }
interface Cruise {
  modules: { source: string; dependencies: { resolved: string }[] }[];
  summary: { violations: Violation[] };
}

let cruised: Cruise | undefined;
function cruise(): Cruise {
  if (cruised) return cruised;
  const r = spawnSync(process.execPath, [path.join(root, 'node_modules/dependency-cruiser/bin/dependency-cruise.mjs'), 'src', '--config', '.dependency-cruiser.cjs', '--output-type', 'json'], {
    cwd: root, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024,
  });
  expect(r.stderr).toBe('');
  cruised = JSON.parse(r.stdout) as Cruise;
  return cruised;
}

const topFolder = (file: string) => /^src\/([^/]+)\//.exec(file)?.[1];

/** Which other modules (top folders of src/) each module imports. */
function moduleImports(): Map<string, Set<string>> {
  const actual = new Map<string, Set<string>>();
  for (const folder of readdirSync(path.join(root, 'src'), { withFileTypes: true })) {
    if (folder.isDirectory()) actual.set(folder.name, new Set());
  }
  for (const mod of cruise().modules) {
    const from = topFolder(mod.source);
    if (!from) continue;
    for (const dep of mod.dependencies) {
      const to = topFolder(dep.resolved);
      if (to && to !== from) actual.get(from)!.add(to);
    }
  }
  return actual;
}

describe('module dependencies', () => {
  it('break none of the house rules', () => {
    const violations = cruise().summary.violations;
    expect(violations.map((v) => `${v.rule.name}: ${v.from} → ${v.to}`)).toEqual([]);
  }, 120_000);

  it('match the README module map: every module has a paragraph whose Imports line is what it imports', () => {
    const actual = moduleImports();
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const map = /^## 模块 Modules\n([\s\S]*?)^## /m.exec(readme)?.[1] ?? '';
    const documented = new Map<string, string>();
    for (const m of map.matchAll(/^- \*\*`([a-z-]+)`\*\* — [\s\S]*?Imports:\s+([\s\S]*?)\.\n(?=- \*\*|\n)/gm)) {
      documented.set(m[1], m[2].replace(/\s+/g, ' ').trim());
    }
    const expected = [...actual].sort(([a], [b]) => a.localeCompare(b)).map(([name, deps]) => [name, deps.size ? [...deps].sort().join(', ') : 'none']);
    expect([...documented].sort(([a], [b]) => a.localeCompare(b))).toEqual(expected);
  }, 120_000);

  it('form no cycle between modules: no module reaches itself through the modules it imports', () => {
    const imports = moduleImports();
    const reachable = (from: string) => {
      const seen = new Set<string>();
      const stack = [...(imports.get(from) ?? [])];
      while (stack.length) {
        const next = stack.pop()!;
        if (seen.has(next)) continue;
        seen.add(next);
        stack.push(...(imports.get(next) ?? []));
      }
      return seen;
    };
    const cyclic = [...imports.keys()].filter((mod) => reachable(mod).has(mod)).map((mod) => `${mod} → ${[...imports.get(mod)!].filter((m) => reachable(m).has(mod)).join(', ')}`);
    expect(cyclic).toEqual([]);
  }, 120_000);
});
