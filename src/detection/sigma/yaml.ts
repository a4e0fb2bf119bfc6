import { isAlias, isMap, isScalar, isSeq, LineCounter, parseAllDocuments, visit, type Alias, type Document, type Node as YamlNode } from 'yaml';
import { SigmaError, SigmaLimitError, type SourcePos } from './errors.js';
import { parsePlainYaml } from './plain-yaml.js';
import type { YamlDocuments, YDocument, YMap, YMapEntry, YNode, YScalar } from './yaml-tree.js';

export type { YamlDocuments, YDocument, YMap, YMapEntry, YNode, YScalar, YSeq } from './yaml-tree.js';

const MAX_DEPTH = 64;
/**
 * Nodes that aliases may add to one file. An alias is expanded into a copy of what it names, so
 * nested aliases grow exponentially (a few hundred bytes can stand for billions of nodes); real
 * rules use few or none (SigmaHQ: none), so a small budget refuses such files at once.
 */
export const MAX_ALIAS_NODES = 10_000;


/** The documents of a YAML file: through the fast parser of plain rule files when it can read it. */
export function parseYamlDocuments(text: string, file: string): YamlDocuments {
  return parsePlainYaml(text) ?? parseYamlFully(text, file);
}

/** The documents of any YAML file, through the `yaml` library. */
export function parseYamlFully(text: string, file: string): YamlDocuments {
  const lineCounter = new LineCounter();
  const errors: SigmaError[] = [];
  const docs: YDocument[] = [];
  let parsed: Document.Parsed[];
  try {
    parsed = parseAllDocuments(text, { lineCounter, uniqueKeys: true, prettyErrors: false }) as Document.Parsed[];
  } catch (e) {
    return { docs, errors: [new SigmaError(`YAML: ${(e as Error).message}`, file, 1, 1)] };
  }
  if (!Array.isArray(parsed)) return { docs, errors };
  const posOf = (offset: number): SourcePos => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const budget = { aliasNodes: MAX_ALIAS_NODES };
  parsed.forEach((doc, index) => {
    const docPos = posOf(doc.range?.[0] ?? 0);
    if (doc.errors.length > 0) {
      for (const err of doc.errors) {
        const message = err.message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
        errors.push(SigmaError.at(`YAML: ${message}`, file, posOf(err.pos[0])));
      }
      return;
    }
    try {
      const converter = new Converter(doc, text, posOf, file, budget);
      const root = doc.contents == null ? null : converter.convert(doc.contents as YamlNode, 0, false);
      const isEmpty = root === null || (root.kind === 'scalar' && root.value === null);
      docs.push({ root: isEmpty ? null : root, pos: docPos, index });
    } catch (e) {
      if (e instanceof SigmaError) errors.push(e);
      else throw e;
    }
  });
  return { docs, errors };
}

/** The node each alias names: the last anchor of that name before it, found in one pass. */
function aliasTargets(doc: Document.Parsed): Map<Alias, YamlNode> {
  const anchors = new Map<string, YamlNode>();
  const targets = new Map<Alias, YamlNode>();
  visit(doc, {
    Node: (_key, node) => {
      if (isAlias(node)) {
        const target = anchors.get(node.source);
        if (target) targets.set(node, target);
      } else if ((isScalar(node) || isMap(node) || isSeq(node)) && node.anchor) anchors.set(node.anchor, node);
    },
  });
  return targets;
}

class Converter {
  private targets: Map<Alias, YamlNode> | undefined;

  constructor(
    private readonly doc: Document.Parsed,
    private readonly text: string,
    private readonly posOf: (offset: number) => SourcePos,
    private readonly file: string,
    private readonly budget: { aliasNodes: number },
  ) {}

  /** `expanding`: the node is part of an alias's copy, and counts against the alias budget. */
  convert(node: YamlNode, depth: number, expanding: boolean): YNode {
    const { file, posOf } = this;
    const pos = posOf(node.range?.[0] ?? 0);
    if (depth > MAX_DEPTH) throw SigmaError.at(`YAML nesting deeper than ${MAX_DEPTH} levels`, file, pos);
    if (expanding && --this.budget.aliasNodes < 0) {
      throw SigmaLimitError.at(`YAML aliases expand to more than ${MAX_ALIAS_NODES} nodes; write the values out instead of nesting aliases`, file, pos);
    }
    if (isAlias(node)) {
      this.targets ??= aliasTargets(this.doc);
      const target = this.targets.get(node);
      if (!target) throw SigmaError.at(`YAML: unresolved alias *${node.source}`, file, pos);
      return this.convert(target, depth + 1, true);
    }
    if (isMap(node)) {
      const entries: YMapEntry[] = [];
      for (const pair of node.items) {
        const keyNode = pair.key as YamlNode | null;
        const keyPos = keyNode?.range ? posOf(keyNode.range[0]) : pos;
        let key: string;
        let keyQuoted = false;
        if (keyNode && isScalar(keyNode)) {
          key = keyNode.value === null ? '' : String(keyNode.value);
          keyQuoted = keyNode.type === 'QUOTE_SINGLE' || keyNode.type === 'QUOTE_DOUBLE';
        } else if (keyNode == null) {
          key = '';
        } else {
          throw SigmaError.at('YAML: map keys must be plain values', file, keyPos);
        }
        const valueNode = pair.value as YamlNode | null;
        const value: YNode =
          valueNode == null
            ? { kind: 'scalar', value: null, pos: keyPos, quoted: false, singleLine: true, source: '' }
            : this.convert(valueNode, depth + 1, expanding);
        entries.push({ key, keyPos, keyQuoted, value });
      }
      return { kind: 'map', entries, pos };
    }
    if (isSeq(node)) {
      const items: YNode[] = [];
      for (const item of node.items) {
        items.push(
          item == null
            ? { kind: 'scalar', value: null, pos, quoted: false, singleLine: true, source: '' }
            : this.convert(item as YamlNode, depth + 1, expanding),
        );
      }
      return { kind: 'seq', items, pos };
    }
    if (isScalar(node)) {
      const raw = node.value;
      let value: YScalar['value'];
      if (raw === null || raw === undefined) value = null;
      else if (typeof raw === 'string' || typeof raw === 'number' || typeof raw === 'boolean') value = raw;
      else if (typeof raw === 'bigint') value = Number(raw);
      else value = String(raw);
      const [start, end] = node.range ?? [0, 0];
      const source = this.text.slice(start, end);
      return {
        kind: 'scalar',
        value,
        pos,
        quoted: node.type === 'QUOTE_SINGLE' || node.type === 'QUOTE_DOUBLE',
        singleLine: !source.includes('\n'),
        source,
      };
    }
    throw SigmaError.at('YAML: unsupported node', file, pos);
  }
}

/** Map lookup by key. */
export function yget(map: YMap, key: string): YMapEntry | undefined {
  for (const e of map.entries) if (e.key === key) return e;
  return undefined;
}

/** Plain JS value of a node (for test events and free-form metadata). */
export function toJS(node: YNode): unknown {
  switch (node.kind) {
    case 'scalar':
      return node.value;
    case 'seq':
      return node.items.map(toJS);
    case 'map': {
      const out: Record<string, unknown> = {};
      for (const e of node.entries) {
        // defineProperty keeps a `__proto__` key an ordinary own property instead of a prototype swap.
        Object.defineProperty(out, e.key, { value: toJS(e.value), enumerable: true, writable: true, configurable: true });
      }
      return out;
    }
  }
}

/**
 * Position of the character at `offset` inside a scalar's value: exact on one line, where quotes,
 * a doubled `''` and double-quoted escapes (`\\`, `\x41`, `\u00e9`…) are stepped over; otherwise
 * the value's start.
 */
export function posInScalar(node: YScalar, offset: number): SourcePos {
  if (!node.singleLine) return node.pos;
  const src = node.source;
  let at = 0;
  if (node.quoted) {
    const quote = src[0];
    at = 1;
    for (let k = 0; k < offset && at < src.length; k++) {
      if (quote === "'") at += src[at] === "'" ? 2 : 1;
      else if (src[at] === '\\') at += ({ x: 4, u: 6, U: 10 } as Record<string, number>)[src[at + 1]] ?? 2;
      else at += 1;
    }
  } else at = offset;
  return { line: node.pos.line, column: node.pos.column + at };
}

/** Position of the character at `offset` inside a map key. */
export function posInKey(entry: YMapEntry, offset: number): SourcePos {
  return { line: entry.keyPos.line, column: entry.keyPos.column + (entry.keyQuoted ? 1 : 0) + offset };
}

// ---- a compact, checked JSON form of parsed documents (for a cache of parsed rule files) ------

/**
 * `parseYamlDocuments` without the file name in its errors, as plain JSON: a scalar is
 * `[line, column, flags, value, source?]` (source left out when it is the value as written), a map
 * `{ m: [[key, line, column, keyQuoted, value]…], p: [line, column] }`, a sequence `{ s: […], p }`.
 * Numbers JSON cannot hold (NaN, ±Infinity, -0) are `{ n: 'NaN' }`.
 */
export type EncodedYaml = { docs: unknown[]; errors: unknown[] };

const QUOTED = 1;
const SINGLE_LINE = 2;

function encodeNode(node: YNode): unknown {
  if (node.kind === 'map') return { m: node.entries.map((e) => [e.key, e.keyPos.line, e.keyPos.column, e.keyQuoted ? 1 : 0, encodeNode(e.value)]), p: [node.pos.line, node.pos.column] };
  if (node.kind === 'seq') return { s: node.items.map(encodeNode), p: [node.pos.line, node.pos.column] };
  const v = node.value;
  const value = typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0)) ? { n: Object.is(v, -0) ? '-0' : String(v) } : v;
  const flags = (node.quoted ? QUOTED : 0) | (node.singleLine ? SINGLE_LINE : 0);
  const out: unknown[] = [node.pos.line, node.pos.column, flags, value];
  if (node.source !== (v === null ? '' : String(v))) out.push(node.source);
  return out;
}

export function encodeYaml(parsed: YamlDocuments): EncodedYaml {
  return {
    docs: parsed.docs.map((d) => [d.index, d.pos.line, d.pos.column, d.root && encodeNode(d.root)]),
    errors: parsed.errors.map((e) => [e.message, e.line, e.column, e instanceof SigmaLimitError ? 1 : 0]),
  };
}

/** Thrown when an encoded form is not one `encodeYaml` makes: the caller parses the text instead. */
export class MalformedEncodingError extends Error {}

function check(ok: boolean): void {
  if (!ok) throw new MalformedEncodingError('malformed encoded YAML');
}

const isInt = (x: unknown): x is number => Number.isSafeInteger(x);

function decodePos(p: unknown): SourcePos {
  check(Array.isArray(p) && p.length === 2 && isInt(p[0]) && isInt(p[1]));
  return { line: (p as number[])[0], column: (p as number[])[1] };
}

function decodeNode(x: unknown, depth: number): YNode {
  check(depth <= MAX_DEPTH + 1);
  if (Array.isArray(x)) {
    check((x.length === 4 || x.length === 5) && isInt(x[0]) && isInt(x[1]) && isInt(x[2]));
    let value = x[3] as unknown;
    if (typeof value === 'object' && value !== null) {
      const n = (value as { n?: unknown }).n;
      check(n === 'NaN' || n === 'Infinity' || n === '-Infinity' || n === '-0');
      value = Number(n);
    }
    check(value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean');
    const source = x.length === 5 ? x[4] : value === null ? '' : String(value);
    check(typeof source === 'string');
    return { kind: 'scalar', value: value as YScalar['value'], pos: { line: x[0], column: x[1] }, quoted: (x[2] & QUOTED) !== 0, singleLine: (x[2] & SINGLE_LINE) !== 0, source: source as string };
  }
  check(typeof x === 'object' && x !== null);
  const o = x as { m?: unknown; s?: unknown; p?: unknown };
  const pos = decodePos(o.p);
  if (Array.isArray(o.s)) return { kind: 'seq', items: o.s.map((i) => decodeNode(i, depth + 1)), pos };
  check(Array.isArray(o.m));
  const entries = (o.m as unknown[]).map((e): YMapEntry => {
    check(Array.isArray(e) && e.length === 5 && typeof e[0] === 'string' && isInt(e[1]) && isInt(e[2]) && (e[3] === 0 || e[3] === 1));
    const [key, line, column, keyQuoted, value] = e as [string, number, number, number, unknown];
    return { key, keyPos: { line, column }, keyQuoted: keyQuoted === 1, value: decodeNode(value, depth + 1) };
  });
  return { kind: 'map', entries, pos };
}

/** The documents and errors `encodeYaml` encoded, with `file` in the errors; throws MalformedEncodingError on anything else. */
export function decodeYaml(encoded: unknown, file: string): YamlDocuments {
  check(typeof encoded === 'object' && encoded !== null);
  const { docs, errors } = encoded as { docs?: unknown; errors?: unknown };
  check(Array.isArray(docs) && Array.isArray(errors));
  return {
    docs: (docs as unknown[]).map((d) => {
      check(Array.isArray(d) && d.length === 4 && isInt(d[0]) && isInt(d[1]) && isInt(d[2]));
      const [index, line, column, root] = d as [number, number, number, unknown];
      return { index, pos: { line, column }, root: root === null ? null : decodeNode(root, 0) };
    }),
    errors: (errors as unknown[]).map((e) => {
      check(Array.isArray(e) && e.length === 4 && typeof e[0] === 'string' && isInt(e[1]) && isInt(e[2]) && (e[3] === 0 || e[3] === 1));
      const [message, line, column, limit] = e as [string, number, number, number];
      return new (limit ? SigmaLimitError : SigmaError)(message, file, line, column);
    }),
  };
}
