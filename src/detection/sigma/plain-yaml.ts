import type { SourcePos } from './errors.js';
import type { YamlDocuments, YMapEntry, YNode, YScalar } from './yaml-tree.js';

/**
 * A parser for the plain block YAML nearly every Sigma rule is written in: one document of block
 * maps and sequences whose values are single-line plain or quoted scalars, or literal (`|`) block
 * scalars. It gives what parseYamlDocuments gives for such a file, several times faster, and
 * gives up (undefined) at anything else — flow collections, anchors, tags, folded or multi-line
 * scalars, several documents, any error — which the full YAML parser then reads.
 */

class Unsupported extends Error {}

const giveUp = (): never => {
  throw new Unsupported();
};

/** Plain scalars of the YAML 1.2 core schema that are not strings (others that might be: give up). */
function plainValue(text: string): YScalar['value'] {
  switch (text) {
    case '~':
    case 'null':
    case 'Null':
    case 'NULL':
      return null;
    case 'true':
    case 'True':
    case 'TRUE':
      return true;
    case 'false':
    case 'False':
    case 'FALSE':
      return false;
  }
  if (/^[0-9]{1,15}$/.test(text)) return Number(text);
  // the core schema's other numbers (yaml's schema/core tests): the full parser converts them
  if (/^(?:0o[0-7]+|[-+]?[0-9]+|0x[0-9a-fA-F]+|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN|[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+|[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*))$/.test(text)) giveUp();
  return text;
}

const INDICATORS = new Set(['-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`']);

const ESCAPES: Record<string, string> = { '\\': '\\', '"': '"', '/': '/', n: '\n', t: '\t', r: '\r', '0': '\0' };

interface Line {
  indent: number;
  /** Offset of the line in the text. */
  start: number;
  text: string;
  /** Blank or only a comment. */
  empty: boolean;
}

class Reader {
  private readonly lines: Line[] = [];
  private i = 0;

  constructor(private readonly text: string) {
    let start = 0;
    for (const raw of text.split('\n')) {
      const indent = raw.length - raw.trimStart().length;
      const rest = raw.slice(indent);
      this.lines.push({ indent, start, text: raw, empty: rest === '' || rest.startsWith('#') });
      start += raw.length + 1;
    }
  }

  private skipEmpty(): Line | undefined {
    while (this.i < this.lines.length && this.lines[this.i].empty) this.i++;
    return this.lines[this.i];
  }

  document(): YamlDocuments {
    const first = this.skipEmpty();
    if (!first) giveUp();
    if (first!.indent !== 0) giveUp();
    const root = this.block(0);
    if (this.skipEmpty()) giveUp();
    return { docs: [{ root, pos: root.pos, index: 0 }], errors: [] };
  }

  /** The block collection whose first line is the current one, at `indent`. */
  private block(indent: number): YNode {
    const line = this.skipEmpty()!;
    // each level of nesting is indented further: this bounds the recursion
    if (line.indent !== indent || indent > 128) giveUp();
    return line.text.startsWith('- ', indent) || line.text.length === indent + 1 && line.text[indent] === '-' ? this.seq(indent) : this.map(indent, indent);
  }

  private seq(indent: number): YNode {
    const items: YNode[] = [];
    let pos: SourcePos | undefined;
    for (let line = this.skipEmpty(); line && line.indent === indent && line.text[indent] === '-'; line = this.skipEmpty()) {
      const lineNo = this.i + 1;
      pos ??= { line: lineNo, column: indent + 1 };
      const after = line.text[indent + 1];
      if (after === undefined) {
        this.i++;
        const next = this.skipEmpty();
        if (!next || next.indent <= indent) giveUp();
        items.push(this.block(next!.indent));
        continue;
      }
      if (after !== ' ') giveUp();
      let col = indent + 2;
      while (line.text[col] === ' ') col++;
      const rest = line.text.slice(col);
      if (rest === '' || rest.startsWith('#') || rest.startsWith('- ') || rest === '-') giveUp();
      if (this.keyEnd(rest) >= 0) items.push(this.map(col, indent + 1));
      else {
        items.push(this.scalar(line, lineNo, col));
        this.i++;
      }
    }
    return { kind: 'seq', items, pos: pos ?? giveUp() };
  }

  /** Where the `:` after a key is in `rest` (a key starts it), or -1 when `rest` is no `key:`. */
  private keyEnd(rest: string): number {
    if (rest[0] === "'" || rest[0] === '"') {
      const close = rest.indexOf(rest[0], 1);
      if (close < 0) return -1;
      return rest[close + 1] === ':' && (rest.length === close + 2 || rest[close + 2] === ' ') ? close + 1 : -1;
    }
    for (let k = rest.indexOf(':'); k >= 0; k = rest.indexOf(':', k + 1)) {
      if (rest.length === k + 1 || rest[k + 1] === ' ') return k;
    }
    return -1;
  }

  /**
   * A block map whose first key is at column `indent` of the current line; the following keys are
   * at `indent` too. `parent`: the indentation its values must exceed (a sequence's `-` for a map
   * begun on the line of the dash).
   */
  private map(indent: number, parent: number): YNode {
    const entries: YMapEntry[] = [];
    const seen = new Set<string>();
    let pos: SourcePos | undefined;
    for (let line = this.skipEmpty(); line; line = this.skipEmpty()) {
      const lineNo = this.i + 1;
      if (entries.length > 0) {
        if (line.indent < indent) break;
        if (line.indent > indent) giveUp();
      }
      const rest = line.text.slice(indent);
      const end = this.keyEnd(rest);
      if (end < 0) giveUp();
      let key: string;
      let keyQuoted = false;
      if (rest[0] === "'" || rest[0] === '"') {
        const k = this.quoted(rest.slice(0, end), rest[0]);
        key = k;
        keyQuoted = true;
      } else {
        const raw = rest.slice(0, end);
        if (raw === '' || raw !== raw.trim() || INDICATORS.has(raw[0]) || raw.includes(' #')) giveUp();
        const v = plainValue(raw);
        key = v === null ? '' : String(v);
      }
      if (seen.has(key)) giveUp();
      seen.add(key);
      const keyPos = { line: lineNo, column: indent + 1 };
      pos ??= keyPos;
      let col = indent + end + 1;
      while (line.text[col] === ' ') col++;
      const value = line.text.slice(col);
      let node: YNode;
      if (value === '' || value.startsWith('#')) {
        this.i++;
        const next = this.skipEmpty();
        if (next && next.indent > indent && next.indent > parent) node = this.block(next.indent);
        else if (next && next.indent === indent && next.text[indent] === '-') node = this.seq(indent);
        else giveUp();
      } else if (value[0] === '|') {
        node = this.literal(line, lineNo, col, indent);
      } else {
        node = this.scalar(line, lineNo, col);
        this.i++;
      }
      entries.push({ key, keyPos, keyQuoted, value: node! });
    }
    return { kind: 'map', entries, pos: pos ?? giveUp() };
  }

  /** A single-line scalar starting at `col` of the line, with at most a comment after it. */
  private scalar(line: Line, lineNo: number, col: number): YScalar {
    const rest = line.text.slice(col);
    const pos = { line: lineNo, column: col + 1 };
    const q = rest[0];
    if (q === "'" || q === '"') {
      let close = 1;
      if (q === "'") {
        for (;;) {
          close = rest.indexOf("'", close);
          if (close < 0) giveUp();
          if (rest[close + 1] === "'") close += 2;
          else break;
        }
      } else {
        for (;;) {
          if (close >= rest.length) giveUp();
          if (rest[close] === '\\') close += 2;
          else if (rest[close] === '"') break;
          else close++;
        }
      }
      const tail = rest.slice(close + 1).trimStart();
      if (tail !== '' && (!tail.startsWith('#') || rest[close + 1] !== ' ')) giveUp();
      const source = rest.slice(0, close + 1);
      return { kind: 'scalar', value: this.quoted(source, q), pos, quoted: true, singleLine: true, source };
    }
    if (INDICATORS.has(q) && !((q === '-' || q === '?' || q === ':') && rest[1] !== undefined && rest[1] !== ' ')) giveUp();
    const hash = rest.indexOf(' #');
    const source = (hash >= 0 ? rest.slice(0, hash) : rest).trimEnd();
    if (source.includes(': ') || source.endsWith(':') || source.includes('\t')) giveUp();
    return { kind: 'scalar', value: plainValue(source), pos, quoted: false, singleLine: true, source };
  }

  /** The value of a quoted scalar written on one line, quotes included. */
  private quoted(source: string, q: string): string {
    const inner = source.slice(1, -1);
    if (q === "'") return inner.replaceAll("''", "'");
    if (!inner.includes('\\')) return inner;
    let out = '';
    for (let k = 0; k < inner.length; k++) {
      const ch = inner[k];
      if (ch !== '\\') {
        out += ch;
        continue;
      }
      const e = inner[++k];
      const simple = ESCAPES[e];
      if (simple !== undefined) out += simple;
      else {
        const len = e === 'x' ? 2 : e === 'u' ? 4 : 0;
        const hex = inner.slice(k + 1, k + 1 + len);
        if (!len || !/^[0-9a-fA-F]+$/.test(hex) || hex.length !== len) giveUp();
        const code = parseInt(hex, 16);
        if (code >= 0xd800 && code <= 0xdfff) giveUp();
        out += String.fromCharCode(code);
        k += len;
      }
    }
    return out;
  }

  /** `|` or `|-` and the lines indented more than the key at `parent`. */
  private literal(line: Line, lineNo: number, col: number, parent: number): YScalar {
    const header = line.text.slice(col).trimEnd();
    if (header !== '|' && header !== '|-') giveUp();
    const start = line.start + col;
    this.i++;
    const first = this.lines[this.i];
    if (!first || first.text.trim() === '' || first.indent <= parent) giveUp();
    const indent = first.indent;
    const content: string[] = [];
    let last = this.i;
    for (let k = this.i; k < this.lines.length; k++) {
      const l = this.lines[k];
      if (l.text.trim() === '') {
        if (l.text.length > indent) giveUp();
        content.push('');
        continue;
      }
      if (l.indent < indent) {
        if (l.indent > parent) giveUp();
        break;
      }
      content.push(l.text.slice(indent));
      last = k;
    }
    content.length = last - this.i + 1;
    this.i = last + 1;
    const end = this.lines[last].start + this.lines[last].text.length + 1;
    const body = content.join('\n');
    return { kind: 'scalar', value: header === '|' ? body + '\n' : body, pos: { line: lineNo, column: col + 1 }, quoted: false, singleLine: false, source: this.text.slice(start, end) };
  }
}

function depth(node: YNode): number {
  if (node.kind === 'scalar') return 0;
  let deepest = 0;
  for (const child of node.kind === 'map' ? node.entries.map((e) => e.value) : node.items) deepest = Math.max(deepest, depth(child));
  return deepest + 1;
}

/** The documents of `text` when it is plain block YAML (see above), else undefined. */
export function parsePlainYaml(text: string): YamlDocuments | undefined {
  if (!text.endsWith('\n') || text.includes('\r') || text.includes('\t') || text.charCodeAt(0) === 0xfeff || /^(---|\.\.\.|%)/m.test(text)) return undefined;
  try {
    const parsed = new Reader(text).document();
    // deep nesting is refused by the full parser, with its own message
    return depth(parsed.docs[0].root!) < 32 ? parsed : undefined;
  } catch (e) {
    if (e instanceof Unsupported) return undefined;
    throw e;
  }
}
