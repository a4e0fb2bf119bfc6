/**
 * Compile-time building blocks of matchers: Sigma strings with wildcards, IP networks, date parts
 * and a multi-needle substring search. Nothing here builds a RegExp at evaluation time.
 */

// ---------------------------------------------------------------------------------------------
// Sigma strings
// ---------------------------------------------------------------------------------------------

/** A piece of a Sigma string: literal text, `*`, `?`, or one character out of a set (windash). */
export type Part = { t: 'lit'; s: string } | { t: 'star' } | { t: 'one' } | { t: 'class'; chars: string[] };

/**
 * Sigma string syntax: `*` any run of characters, `?` exactly one; `\*`, `\?` and `\\` are the
 * literal characters; a backslash before anything else is an ordinary backslash (so Windows paths
 * such as `C:\Windows\` need no doubling).
 */
export function parseSigmaString(raw: string): Part[] {
  const parts: Part[] = [];
  let lit = '';
  const flush = () => {
    if (lit) parts.push({ t: 'lit', s: lit });
    lit = '';
  };
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i];
    if (c === '\\') {
      const n = raw[i + 1];
      if (n === '*' || n === '?' || n === '\\') {
        lit += n;
        i++;
      } else {
        lit += '\\';
      }
    } else if (c === '*') {
      flush();
      if (parts.length === 0 || parts[parts.length - 1].t !== 'star') parts.push({ t: 'star' });
    } else if (c === '?') {
      flush();
      parts.push({ t: 'one' });
    } else {
      lit += c;
    }
  }
  flush();
  return parts;
}

/** Merge adjacent literals and runs of stars. */
export function normalizeParts(parts: Part[]): Part[] {
  const out: Part[] = [];
  for (const p of parts) {
    const last = out[out.length - 1];
    if (p.t === 'lit') {
      if (!p.s) continue;
      if (last?.t === 'lit') out[out.length - 1] = { t: 'lit', s: last.s + p.s };
      else out.push(p);
    } else if (p.t === 'star') {
      if (last?.t !== 'star') out.push(p);
    } else {
      out.push(p);
    }
  }
  return out;
}

export function hasWildcards(parts: Part[]): boolean {
  return parts.some((p) => p.t !== 'lit');
}

export function literalText(parts: Part[]): string {
  return parts.map((p) => (p.t === 'lit' ? p.s : '')).join('');
}

/** How a Sigma string can be matched: the fast string operations, or a whole-string wildcard match. */
export type StringShape =
  | { kind: 'exact' | 'contains' | 'prefix' | 'suffix'; text: string }
  | { kind: 'any' }
  | { kind: 'pattern'; test: (s: string) => boolean };

/** `lower` lower-cases literal text (for case-insensitive matching against a lower-cased value). */
export function shapeOf(parts: Part[], lower: boolean): StringShape {
  const fold = (s: string) => (lower ? s.toLowerCase() : s);
  const n = parts.length;
  const isLit = (i: number) => parts[i]?.t === 'lit';
  const isStar = (i: number) => parts[i]?.t === 'star';
  const lit = (i: number) => fold((parts[i] as { s: string }).s);
  if (n === 0) return { kind: 'exact', text: '' };
  if (n === 1 && isLit(0)) return { kind: 'exact', text: lit(0) };
  if (n === 1 && isStar(0)) return { kind: 'any' };
  if (n === 2 && isLit(0) && isStar(1)) return { kind: 'prefix', text: lit(0) };
  if (n === 2 && isStar(0) && isLit(1)) return { kind: 'suffix', text: lit(1) };
  if (n === 3 && isStar(0) && isLit(1) && isStar(2)) return { kind: 'contains', text: lit(1) };
  return { kind: 'pattern', test: wildcardMatcher(parts, fold) };
}

/** One character of a wildcard segment: itself, any character (`?`), or one of a few (windash). */
type Unit = string | typeof ANY_CHAR | ReadonlySet<string>;
const ANY_CHAR = Symbol('?');

/** The text between two stars; `literal` when it has no `?` or character class. */
interface Segment {
  units: Unit[];
  literal?: string;
}

function matchesAt(seg: Segment, s: string, at: number): boolean {
  if (seg.literal !== undefined) return s.startsWith(seg.literal, at);
  for (let k = 0; k < seg.units.length; k++) {
    const u = seg.units[k];
    const c = s[at + k];
    if (u === ANY_CHAR) continue;
    if (typeof u === 'string' ? c !== u : !u.has(c)) return false;
  }
  return true;
}

/** Leftmost place at or after `from` where the segment matches and ends by `end`, or -1. */
function findSegment(seg: Segment, s: string, from: number, end: number): number {
  const last = end - seg.units.length;
  if (seg.literal !== undefined) {
    const i = s.indexOf(seg.literal, from);
    return i >= 0 && i <= last ? i : -1;
  }
  for (let i = from; i <= last; i++) if (matchesAt(seg, s, i)) return i;
  return -1;
}

/**
 * Whole-string match of a wildcard pattern without backtracking. The pattern is cut at its stars:
 * the first segment must match at the start, the last at the end, and each one between them at
 * its leftmost place after the one before (leftmost is never worse, since a star takes anything).
 * Time at most length × pattern length; an anchored backtracking RegExp needs seconds for
 * `*a*a*b` on a few thousand characters.
 */
export function wildcardMatcher(parts: Part[], fold: (s: string) => string = (s) => s): (s: string) => boolean {
  const segments: Segment[] = [{ units: [] }];
  for (const p of parts) {
    const seg = segments[segments.length - 1];
    if (p.t === 'star') segments.push({ units: [] });
    else if (p.t === 'lit') seg.units.push(...fold(p.s));
    else if (p.t === 'one') seg.units.push(ANY_CHAR);
    else seg.units.push(new Set(p.chars.map(fold)));
  }
  for (const seg of segments) if (seg.units.every((u) => typeof u === 'string')) seg.literal = seg.units.join('');
  const first = segments[0];
  if (segments.length === 1) return (s) => s.length === first.units.length && matchesAt(first, s, 0);
  const final = segments[segments.length - 1];
  const middle = segments.slice(1, -1);
  return (s) => {
    let start = first.units.length;
    const end = s.length - final.units.length;
    if (start > end || !matchesAt(first, s, 0) || !matchesAt(final, s, end)) return false;
    for (const seg of middle) {
      const at = findSegment(seg, s, start, end);
      if (at < 0) return false;
      start = at + seg.units.length;
    }
    return true;
  };
}

/** The longest run of literal text that any match must contain (for prefilter hints). */
export function longestLiteral(parts: Part[]): string {
  let best = '';
  for (const p of parts) if (p.t === 'lit' && p.s.length > best.length) best = p.s;
  return best;
}

// ---------------------------------------------------------------------------------------------
// Multi-needle substring search (Aho-Corasick), for long `contains` lists.
// ---------------------------------------------------------------------------------------------

export interface NeedleSet {
  /** True when `haystack` contains at least one needle. */
  test(haystack: string): boolean;
}

const AHO_CORASICK_MIN = 16;

export function needleSet(needles: string[]): NeedleSet {
  const unique = [...new Set(needles)];
  if (unique.includes('')) return { test: () => true };
  if (unique.length < AHO_CORASICK_MIN) {
    if (unique.length === 1) {
      const n = unique[0];
      return { test: (h) => h.includes(n) };
    }
    return {
      test(h) {
        for (let i = 0; i < unique.length; i++) if (h.includes(unique[i])) return true;
        return false;
      },
    };
  }
  // built on first use: parsing test-compiles every rule only to check it, and most of those
  // compilations (and many rules' long lists) are never evaluated
  let automaton: AhoCorasick | undefined;
  return { test: (h) => (automaton ??= new AhoCorasick(unique)).test(h) };
}

/**
 * States of an AhoCorasick automaton, the shallowest, that get a transition table row (see
 * `delta`): with rows narrowed to the needles' characters, 65,536 rows of a Windows rule pack's
 * 68 characters take 17 MB at most, and every state of SigmaHQ's largest route (40,000) has one.
 */
const DENSE_STATES = 65_536;

/** Int32 fields per state in `AhoCorasick.node`. */
const NODE_FIELDS = 4;

/** What a step answers when a folded read cannot go on (see `NeedleScanner.forEachMatch`). */
const UNFOLDABLE = -0x80000000;

/** The two characters toLowerCase turns into ASCII letters: KELVIN SIGN → k, capital I with dot → i + dot. */
const LOWERS_TO_ASCII = (c: number) => c === 0x212a || c === 0x130;

const hasNonAscii = (s: string) => /[^\x00-\x7f]/.test(s);

/**
 * Aho-Corasick automaton. The trie is kept in flat typed arrays, since a community rule pack's
 * hints make a hundred thousand states and more. The transitions of the states nearest the root
 * (all states, for a rule pack's hints) are a dense DFA table over the ASCII characters the
 * needles have, one column each and one for every other character: a step is a load from a
 * small character map and one from the table, whose entry also says whether the state reached
 * ends a needle (a negative entry). Non-ASCII characters of the needles and states past the
 * table follow trie edges and failure links. A state's children are numbered consecutively and
 * what a step reads of a state sits together in `node`. Besides `test`, it can report every
 * needle found (`forEachMatch`), which the rule index uses to find candidate rules for an event
 * in one pass.
 */
export class AhoCorasick implements NeedleSet, NeedleScanner {
  /**
   * States are numbered breadth-first, so the shallowest have the smallest numbers and the
   * children of a state are consecutive. For each: the character on the trie edge into it.
   */
  private readonly char: Uint16Array;
  /** NODE_FIELDS per state: first child, number of children, failure link, terminal (1 or 0). */
  private readonly node: Int32Array;
  /** Per ASCII character: its column in `delta` (0: no needle has it). */
  private readonly column = new Uint8Array(128);
  /** The same, ASCII capitals read as the small letters (see `forEachMatch`). */
  private readonly foldedColumn = new Uint8Array(128);
  private readonly width: number;
  /** Per state below `rows`, `width` entries: the state a character leads to, `~state` where that state ends a needle. */
  private readonly delta: Int32Array;
  private readonly rows: number;
  private readonly shortest: number;
  /** The needles' characters outside ASCII: any other leads back to the root. */
  private readonly wide = new Set<number>();
  /** Needle indices ending at each state, including those reached through failure links. */
  private readonly outputs: number[][];

  /** `denseStates`: how many states get a table row (fewer only to test the steps past the table). */
  constructor(needles: string[], denseStates = DENSE_STATES) {
    this.shortest = Math.min(...needles.map((n) => n.length));
    // the trie, its states numbered as they are made
    const char = [-1];
    const first = [-1];
    const next = [-1];
    const ends: number[][] = [[]];
    for (const [index, needle] of needles.entries()) {
      let s = 0;
      for (let i = 0; i < needle.length; i++) {
        const c = needle.charCodeAt(i);
        if (c >= 128) this.wide.add(c);
        else if (this.column[c] === 0) this.column[c] = this.column.reduce((a, b) => Math.max(a, b), 0) + 1;
        let x = first[s];
        while (x >= 0 && char[x] !== c) x = next[x];
        if (x < 0) {
          x = char.length;
          char.push(c);
          first.push(-1);
          next.push(first[s]);
          first[s] = x;
          ends.push([]);
        }
        s = x;
      }
      ends[s].push(index);
    }
    const width = (this.width = this.column.reduce((a, b) => Math.max(a, b), 0) + 1);
    for (let c = 0; c < 128; c++) this.foldedColumn[c] = this.column[FOLDED_ASCII[c]];
    // renumbered breadth-first
    const order = [0];
    for (let qi = 0; qi < order.length; qi++) for (let x = first[order[qi]]; x >= 0; x = next[x]) order.push(x);
    const n = order.length;
    const id = new Int32Array(n);
    order.forEach((old, i) => (id[old] = i));
    this.char = Uint16Array.from(order, (old) => Math.max(char[old], 0));
    this.outputs = order.map((old) => ends[old]);
    const node = (this.node = new Int32Array(n * NODE_FIELDS));
    for (let i = 0; i < n; i++) {
      const old = order[i];
      let count = 0;
      for (let x = first[old]; x >= 0; x = next[x]) count++;
      node[i * NODE_FIELDS] = count ? id[first[old]] : -1;
      node[i * NODE_FIELDS + 1] = count;
      node[i * NODE_FIELDS + 3] = this.outputs[i].length ? 1 : 0;
    }
    this.rows = Math.min(n, denseStates);
    const delta = (this.delta = new Int32Array(this.rows * width));
    // A state's failure link is shallower, so it (and its table row) is complete before the state:
    // a row is its failure link's row with the state's own children written over it.
    for (let r = 0; r < n; r++) {
      const from = node[r * NODE_FIELDS];
      const to = from + node[r * NODE_FIELDS + 1];
      for (let s = from; s < to; s++) {
        const f = r === 0 ? 0 : this.walk(node[r * NODE_FIELDS + 2], this.char[s]);
        node[s * NODE_FIELDS + 2] = f;
        if (node[f * NODE_FIELDS + 3]) node[s * NODE_FIELDS + 3] = 1;
        if (this.outputs[f].length) this.outputs[s] = [...this.outputs[s], ...this.outputs[f]];
      }
      if (r < this.rows) {
        const f = node[r * NODE_FIELDS + 2];
        if (r > 0) delta.copyWithin(r * width, f * width, f * width + width);
        for (let s = from; s < to; s++) if (this.char[s] < 128) delta[r * width + this.column[this.char[s]]] = this.entry(s);
      }
    }
  }

  /** A table entry for reaching `s`. */
  private entry(s: number): number {
    return this.node[s * NODE_FIELDS + 3] ? ~s : s;
  }

  /** The trie child of `s` along character `c`, or -1. */
  private child(s: number, c: number): number {
    const from = this.node[s * NODE_FIELDS];
    const to = from + this.node[s * NODE_FIELDS + 1];
    for (let x = from; x < to; x++) if (this.char[x] === c) return x;
    return -1;
  }

  /** The state after reading character code `c` in state `s`, through table rows, trie edges and failure links. */
  private walk(s: number, c: number): number {
    for (;;) {
      if (c < 128 && s < this.rows) {
        const e = this.delta[s * this.width + this.column[c]];
        return e < 0 ? ~e : e;
      }
      const next = this.child(s, c);
      if (next >= 0) return next;
      if (s === 0) return 0;
      s = this.node[s * NODE_FIELDS + 2];
    }
  }

  /** A step `forEachMatch` leaves to the trie: a non-ASCII character, or a state past the table. */
  private slowStep(s: number, c: number, fold: boolean): number {
    if (c < 128) return this.entry(this.walk(s, fold ? FOLDED_ASCII[c] : c));
    // folded, only ASCII needles can be read past a character toLowerCase keeps outside ASCII
    if (fold && (this.wide.size > 0 || LOWERS_TO_ASCII(c))) return UNFOLDABLE;
    return this.wide.has(c) ? this.entry(this.walk(s, c)) : 0;
  }

  test(h: string): boolean {
    if (h.length < this.shortest) return false;
    const { delta, width, rows, column } = this;
    let s = 0;
    for (let i = 0; i < h.length; i++) {
      const c = h.charCodeAt(i);
      const e = c < 128 && s < rows ? delta[s * width + column[c]] : this.slowStep(s, c, false);
      if (e < 0) return true;
      s = e;
    }
    return false;
  }

  forEachMatch(h: string, found: (needle: number) => void, fold = false): boolean {
    if (h.length < this.shortest) return true;
    const { delta, width, rows } = this;
    const column = fold ? this.foldedColumn : this.column;
    let s = 0;
    for (let i = 0; i < h.length; i++) {
      const c = h.charCodeAt(i);
      const e = c < 128 && s < rows ? delta[s * width + column[c]] : this.slowStep(s, c, fold);
      if (e >= 0) {
        s = e;
        continue;
      }
      if (e === UNFOLDABLE) return false;
      s = ~e;
      for (const n of this.outputs[s]) found(n);
    }
    return true;
  }
}

/** Where a scan reports the needles it finds (by index), once per occurrence. */
export interface NeedleScanner {
  /**
   * With `fold`, `h` is read as if it were lower-cased, without lower-casing it: where the
   * scanner cannot (a character toLowerCase turns into ASCII letters, or one outside ASCII with
   * needles that are not all ASCII), it stops and answers false, having reported some of the
   * needles or none; then `h.toLowerCase()` is to be scanned instead. A scanner that skips
   * characters (`PairSkipScanner`) reads those two as the ASCII letters they lower-case to
   * (`foldCode`) instead of seeking them first: it may then report a needle the lower-cased text
   * has not (an `i` followed by what follows a capital I with dot, which lower-cases to `i` and a
   * combining dot), never miss one it has; scans are prefilters, so one more candidate is all
   * such a report costs.
   */
  forEachMatch(h: string, found: (needle: number) => void, fold?: boolean): boolean;
}

/**
 * A few long needles found by skipping (Wu and Manber's shift table over pairs of characters):
 * a pair of the text that ends no needle's first `m` characters (m: the shortest needle's
 * length) moves the window by up to m - 1 characters at once, where an automaton reads every one.
 * Pairs are hashed into 14 bits, every pair of ASCII characters to its own (a 16 KB table, which
 * stays in the cache where a scanner per field meets a scanner per field); two pairs sharing a
 * hash only lower a shift, never skip a match.
 */
export class PairSkipScanner implements NeedleScanner {
  private readonly m: number;
  private readonly shift: Uint8Array;
  /** Needle indices by the hash of the pair their first m characters end with. */
  private readonly ending = new Map<number, number[]>();
  /** Every needle is ASCII: a text can be read folded (see `NeedleScanner.forEachMatch`). */
  private readonly ascii: boolean;

  constructor(private readonly needles: readonly string[]) {
    this.m = Math.min(...needles.map((n) => n.length));
    this.ascii = !needles.some(hasNonAscii);
    if (this.m < 2 || this.m > 255) throw new Error('PairSkipScanner needs needles of 2 to 255 characters');
    this.shift = new Uint8Array(1 << (2 * PAIR_CHAR_BITS)).fill(this.m - 1);
    for (const [index, needle] of needles.entries()) {
      for (let q = 1; q < this.m; q++) {
        const h = pairHash(needle, q);
        this.shift[h] = Math.min(this.shift[h], this.m - 1 - q);
      }
      const h = pairHash(needle, this.m - 1);
      (this.ending.get(h) ?? this.ending.set(h, []).get(h)!).push(index);
    }
  }

  forEachMatch(h: string, found: (needle: number) => void, fold = false): boolean {
    const { m, shift, needles } = this;
    if (h.length < m) return true;
    if (fold && !this.ascii) return false;
    let pos = m - 1;
    while (pos < h.length) {
      const hash = fold ? foldedPairHash(h, pos) : pairHash(h, pos);
      const skip = shift[hash];
      if (skip > 0) {
        pos += skip;
        continue;
      }
      const start = pos - m + 1;
      for (const n of this.ending.get(hash)!) if (fold ? startsWithFolded(h, needles[n], start) : h.startsWith(needles[n], start)) found(n);
      pos++;
    }
    return true;
  }
}

/** Characters in an `AnchorScanner` anchor. */
const ANCHOR = 4;
/** Bits of the hash an `AnchorScanner` keeps its anchors' presence under: 2^16 bits, 8 KB, in the fastest cache. */
const ANCHOR_HASH_BITS = 16;

/**
 * Many needles, each found through one rare piece of it: ANCHOR characters that fewest other
 * needles have. A step reads one character into a rolling code of the last ANCHOR (folded
 * ASCII), and looks its hash up in a bit set small enough to stay in the processor's cache; only
 * where that says "maybe" is the code looked up and the needles anchored there compared in place.
 * An automaton over thousands of needles (SigmaHQ's command-line hints: 7,700 needles, 32,000
 * states) reads a table of megabytes, and text like `C:\Windows\System32\` leads it deep into the
 * trie, so most steps miss the cache; here every step stays in it. Characters outside ASCII all
 * read as one code (DEL) in an anchor, the comparison in place telling them apart: SigmaHQ's
 * `|windash` makes every command-line dash four needles, three of them with a dash outside ASCII.
 * Needles shorter than ANCHOR go to small automata beside it: those outside ASCII (SigmaHQ's
 * emoji and homoglyph rules give a command line's scanner some 1,500) to one that reads only
 * texts the loop saw such a character in, the few others to one that reads every text.
 *
 * What a "maybe" reads is laid out flat, in typed arrays: a command line meets about ten anchors
 * that are there (`.exe`, `user`, `c:\w`), and between two scans of an event's fields the rest of
 * the engine pushes the tables out of the cache. Looked up through a Map of arrays of needle
 * strings, each of those meetings cost several misses (the Map's bucket, its entry, the array, the
 * string); here it is the probed slot, then one run of `entries` and of `chars`.
 */
export class AnchorScanner implements NeedleScanner {
  private readonly bits = new Uint32Array(1 << (ANCHOR_HASH_BITS - 5));
  /** Open addressing by anchor hash, SLOT_FIELDS per slot: anchor code (-1: free), first entry, end of entries. */
  private readonly slots: Int32Array;
  private readonly slotMask: number;
  /** ENTRY_FIELDS per needle with an anchor, grouped by anchor: needle index, where its anchor starts in it, its first character in `chars`, its length. */
  private readonly entries: Int32Array;
  /** Every anchored needle's characters, one after another. */
  private readonly chars: Uint16Array;
  /** The needles shorter than ANCHOR, all ASCII. */
  private readonly shortAscii?: ShortNeedles;
  /** The needles shorter than ANCHOR with a character outside ASCII: only a text with one can have them. */
  private readonly shortWide?: ShortNeedles;
  /** Some needle has a character outside ASCII (see `forEachMatch`). */
  private readonly wide: boolean;

  constructor(needles: readonly string[]) {
    this.wide = needles.some(hasNonAscii);
    const anchored = (n: string) => n.length >= ANCHOR;
    const seen = new Map<number, number>();
    for (const n of needles.filter(anchored)) for (const code of new Set(anchorCodes(n))) seen.set(code, (seen.get(code) ?? 0) + 1);
    const restIds: number[] = [];
    const byAnchor = new Map<number, { index: number; at: number }[]>();
    needles.forEach((n, index) => {
      if (!anchored(n)) return void restIds.push(index);
      const codes = anchorCodes(n);
      let best = codes.length - 1;
      for (let k = codes.length - 2; k >= 0; k--) if (seen.get(codes[k])! < seen.get(codes[best])!) best = k;
      const list = byAnchor.get(codes[best]) ?? byAnchor.set(codes[best], []).get(codes[best])!;
      list.push({ index, at: best });
    });
    let slotCount = 16;
    while (slotCount < byAnchor.size * 2) slotCount *= 2;
    this.slotMask = slotCount - 1;
    this.slots = new Int32Array(slotCount * SLOT_FIELDS).fill(-1);
    const anchoredCount = needles.length - restIds.length;
    this.entries = new Int32Array(anchoredCount * ENTRY_FIELDS);
    this.chars = new Uint16Array(needles.reduce((sum, n) => sum + (anchored(n) ? n.length : 0), 0));
    let entry = 0;
    let char = 0;
    for (const [code, list] of byAnchor) {
      const h = anchorHash(code);
      this.bits[h >>> 5] |= 1 << (h & 31);
      let slot = h & this.slotMask;
      while (this.slots[slot * SLOT_FIELDS] !== -1) slot = (slot + 1) & this.slotMask;
      this.slots.set([code, entry, entry + list.length * ENTRY_FIELDS], slot * SLOT_FIELDS);
      for (const { index, at } of list) {
        const needle = needles[index];
        this.entries.set([index, at, char, needle.length], entry);
        entry += ENTRY_FIELDS;
        for (let k = 0; k < needle.length; k++) this.chars[char++] = needle.charCodeAt(k);
      }
    }
    const ascii = restIds.filter((i) => !hasNonAscii(needles[i]));
    const wide = restIds.filter((i) => hasNonAscii(needles[i]));
    if (ascii.length) this.shortAscii = new ShortNeedles(needles, ascii);
    if (wide.length) this.shortWide = new ShortNeedles(needles, wide);
  }

  /**
   * Folded, a text with characters outside ASCII cannot be read where some needle has one (what
   * such a character lower-cases to is not known here): see `NeedleScanner.forEachMatch`.
   */
  forEachMatch(h: string, found: (needle: number) => void, fold = false): boolean {
    if (this.shortAscii && !this.shortAscii.forEachMatch(h, found, fold)) return false;
    const { bits, slots, slotMask, entries, chars } = this;
    const bail = fold && this.wide;
    const ascii = fold ? FOLDED_ASCII : ASCII;
    let code = 0;
    let outsideAscii = false;
    for (let i = 0; i < h.length; i++) {
      let c = h.charCodeAt(i);
      if (c >= 128) {
        // every character is read here, so the two toLowerCase turns into ASCII letters are met here too
        if (bail || (fold && LOWERS_TO_ASCII(c))) return false;
        c = OUTSIDE_ASCII;
        outsideAscii = true;
      } else c = ascii[c];
      code = ((code << 7) | c) & ANCHOR_MASK;
      if (i < ANCHOR - 1) continue;
      const hash = anchorHash(code);
      if ((bits[hash >>> 5] & (1 << (hash & 31))) === 0) continue;
      let slot = (hash & slotMask) * SLOT_FIELDS;
      while (slots[slot] !== code && slots[slot] !== -1) {
        slot += SLOT_FIELDS;
        if (slot === slots.length) slot = 0;
      }
      if (slots[slot] === -1) continue;
      const anchorStart = i - ANCHOR + 1;
      for (let e = slots[slot + 1], end = slots[slot + 2]; e < end; e += ENTRY_FIELDS) {
        const start = anchorStart - entries[e + 1];
        const length = entries[e + 3];
        if (start < 0 || start + length > h.length) continue;
        const from = entries[e + 2];
        let k = 0;
        while (k < length && h.charCodeAt(start + k) === chars[from + k]) k++;
        if (fold) while (k < length && foldCode(h.charCodeAt(start + k)) === chars[from + k]) k++;
        if (k === length) found(entries[e]);
      }
    }
    // (folded, a text reaches here with a character outside ASCII only when every needle is ASCII)
    return !outsideAscii || !this.shortWide || this.shortWide.forEachMatch(h, found, fold);
  }
}

/** Some of a scanner's needles (by their index in it) in an automaton of their own. */
class ShortNeedles {
  private readonly automaton: AhoCorasick;
  private report?: (needle: number) => void;
  private readonly reportOwn = (i: number) => this.report!(this.ids[i]);

  constructor(
    needles: readonly string[],
    private readonly ids: number[],
  ) {
    this.automaton = new AhoCorasick(ids.map((i) => needles[i]));
  }

  forEachMatch(h: string, found: (needle: number) => void, fold: boolean): boolean {
    this.report = found;
    const whole = this.automaton.forEachMatch(h, this.reportOwn, fold);
    this.report = undefined;
    return whole;
  }
}

const SLOT_FIELDS = 3;
const ENTRY_FIELDS = 4;
const ANCHOR_MASK = (1 << (7 * ANCHOR)) - 1;
/** What any character outside ASCII reads as in an anchor's code. */
const OUTSIDE_ASCII = 0x7f;

/** The codes of every ANCHOR characters of a needle, by where they start. */
function anchorCodes(needle: string): number[] {
  const codes: number[] = [];
  let code = 0;
  for (let i = 0; i < needle.length; i++) {
    const c = needle.charCodeAt(i);
    code = ((code << 7) | (c >= 128 ? OUTSIDE_ASCII : c)) & ANCHOR_MASK;
    if (i >= ANCHOR - 1) codes.push(code);
  }
  return codes;
}

function anchorHash(code: number): number {
  return Math.imul(code, 0x9e3779b1) >>> (32 - ANCHOR_HASH_BITS);
}

/** Bits a character keeps in a pair's hash. */
const PAIR_CHAR_BITS = 7;
const PAIR_CHAR_MASK = (1 << PAIR_CHAR_BITS) - 1;

/** The hash of the characters at i - 1 and i. */
function pairHash(s: string, i: number): number {
  return ((s.charCodeAt(i - 1) & PAIR_CHAR_MASK) << PAIR_CHAR_BITS) | (s.charCodeAt(i) & PAIR_CHAR_MASK);
}

/**
 * ASCII characters as they are and folded: a load from a table of 128 bytes where a test of the
 * letter range would branch on every character, one way as often as the other in a command line.
 */
const ASCII = Uint8Array.from({ length: 128 }, (_, c) => c);
const FOLDED_ASCII = Uint8Array.from({ length: 128 }, (_, c) => (c >= 65 && c <= 90 ? c + 32 : c));

/** ASCII capitals, KELVIN SIGN and capital I with dot read as the ASCII letters they lower-case to first. */
const foldCode = (c: number) => (c < 128 ? FOLDED_ASCII[c] : c === 0x212a ? 107 : c === 0x130 ? 105 : c);

function foldedPairHash(s: string, i: number): number {
  return ((foldCode(s.charCodeAt(i - 1)) & PAIR_CHAR_MASK) << PAIR_CHAR_BITS) | (foldCode(s.charCodeAt(i)) & PAIR_CHAR_MASK);
}

/** `s` has the ASCII `needle` at `start`, read through `foldCode`. */
function startsWithFolded(s: string, needle: string, start: number): boolean {
  if (start + needle.length > s.length) return false;
  for (let k = 0; k < needle.length; k++) if (foldCode(s.charCodeAt(start + k)) !== needle.charCodeAt(k)) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------
// IP addresses and CIDR networks
// ---------------------------------------------------------------------------------------------

/** An address as 4 (IPv4) or 16 (IPv6) bytes. */
export type IpBytes = Uint8Array;

export function parseIPv4(s: string): IpBytes | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    const n = Number(m[i + 1]);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

export function parseIPv6(input: string): IpBytes | undefined {
  let s = input;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  if (!s.includes(':')) return undefined;
  let tail: number[] = [];
  // Embedded IPv4 in the last 32 bits (::ffff:1.2.3.4).
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIPv4(last);
    if (!v4) return undefined;
    tail = [(v4[0] << 8) | v4[1], (v4[2] << 8) | v4[3]];
    s = s.slice(0, lastColon + 1);
    if (!s.endsWith('::')) s = s.slice(0, -1);
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const groups = h.split(':');
    const out: number[] = [];
    for (const g of groups) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = parseGroups(halves[0]);
  const rest = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (!head || !rest) return undefined;
  const total = head.length + rest.length + tail.length;
  let groups: number[];
  if (halves.length === 2) {
    if (total > 7) return undefined;
    groups = [...head, ...new Array(8 - total).fill(0), ...rest, ...tail];
  } else {
    if (total !== 8) return undefined;
    groups = [...head, ...tail];
  }
  const out = new Uint8Array(16);
  groups.forEach((g, i) => {
    out[i * 2] = g >> 8;
    out[i * 2 + 1] = g & 0xff;
  });
  return out;
}

export function parseIp(s: string): IpBytes | undefined {
  const t = s.trim();
  return parseIPv4(t) ?? parseIPv6(t);
}

export interface CidrNet {
  bytes: IpBytes;
  prefix: number;
  text: string;
}

export function parseCidr(text: string): CidrNet | undefined {
  const t = text.trim();
  const slash = t.indexOf('/');
  const addr = slash >= 0 ? t.slice(0, slash) : t;
  const bytes = parseIp(addr);
  if (!bytes) return undefined;
  const max = bytes.length * 8;
  let prefix = max;
  if (slash >= 0) {
    const p = t.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > max) return undefined;
  }
  return { bytes, prefix, text: t };
}

function isV4Mapped(b: IpBytes): boolean {
  if (b.length !== 16) return false;
  for (let i = 0; i < 10; i++) if (b[i] !== 0) return false;
  return b[10] === 0xff && b[11] === 0xff;
}

export function ipInNet(ip: IpBytes, net: CidrNet): boolean {
  let addr = ip;
  if (net.bytes.length === 4 && ip.length === 16) {
    if (!isV4Mapped(ip)) return false;
    addr = ip.subarray(12);
  } else if (net.bytes.length !== ip.length) {
    return false;
  }
  const full = net.prefix >> 3;
  for (let i = 0; i < full; i++) if (addr[i] !== net.bytes[i]) return false;
  const rem = net.prefix & 7;
  if (rem === 0) return true;
  const mask = (0xff << (8 - rem)) & 0xff;
  return (addr[full] & mask) === (net.bytes[full] & mask);
}

// ---------------------------------------------------------------------------------------------
// Date parts
// ---------------------------------------------------------------------------------------------

export const TIME_UNITS = ['minute', 'hour', 'day', 'week', 'month', 'year'] as const;
export type TimeUnit = (typeof TIME_UNITS)[number];

const ISO_DATE =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,]\d+)?)?)?\s*(?:Z|z|[+-]\d{2}(?::?\d{2})?)?$/;

/**
 * Wall-clock parts of a date value, as written: the spec's time modifiers do no time zone
 * conversion, so `2024-03-01T23:30:00+08:00` is hour 23. Epoch numbers (seconds, or milliseconds
 * when larger than 1e11) and other strings `Date.parse` understands are read as UTC.
 */
export function dateFields(v: unknown): { y: number; mo: number; d: number; h: number; mi: number } | undefined {
  let ms: number;
  if (typeof v === 'string') {
    const m = ISO_DATE.exec(v.trim());
    if (m) {
      const [y, mo, d, h, mi] = [m[1], m[2], m[3], m[4] ?? '0', m[5] ?? '0'].map(Number);
      if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return undefined;
      return { y, mo, d, h, mi };
    }
    if (/^\d+(\.\d+)?$/.test(v.trim())) return dateFields(Number(v));
    ms = Date.parse(v);
  } else if (typeof v === 'number') {
    ms = Math.abs(v) > 1e11 ? v : v * 1000;
  } else if (v instanceof Date) {
    ms = v.getTime();
  } else {
    return undefined;
  }
  if (!Number.isFinite(ms)) return undefined;
  const dt = new Date(ms);
  if (Number.isNaN(dt.getTime())) return undefined;
  return { y: dt.getUTCFullYear(), mo: dt.getUTCMonth() + 1, d: dt.getUTCDate(), h: dt.getUTCHours(), mi: dt.getUTCMinutes() };
}

/** ISO 8601 week number (1-53) of a calendar date. */
export function isoWeek(y: number, mo: number, d: number): number {
  const date = new Date(Date.UTC(y, mo - 1, d));
  const day = date.getUTCDay() || 7; // Monday=1 .. Sunday=7
  date.setUTCDate(date.getUTCDate() + 4 - day); // Thursday of this week decides the year
  const yearStart = Date.UTC(date.getUTCFullYear(), 0, 1);
  return Math.ceil(((date.getTime() - yearStart) / 86400000 + 1) / 7);
}

export function timePart(v: unknown, unit: TimeUnit): number | undefined {
  const f = dateFields(v);
  if (!f) return undefined;
  switch (unit) {
    case 'minute':
      return f.mi;
    case 'hour':
      return f.h;
    case 'day':
      return f.d;
    case 'week':
      return isoWeek(f.y, f.mo, f.d);
    case 'month':
      return f.mo;
    case 'year':
      return f.y;
  }
}

// ---------------------------------------------------------------------------------------------
// Encodings
// ---------------------------------------------------------------------------------------------

/** Bytes of a string: UTF-8, or — for strings already turned into byte characters by a utf16 modifier — the char codes. */
export function stringBytes(s: string, binary: boolean): Uint8Array {
  if (!binary) return new TextEncoder().encode(s);
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) & 0xff;
  return out;
}

export function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

/**
 * The three forms a byte string takes inside a longer base64 text, depending on its offset
 * modulo 3; the leading and trailing characters that depend on neighbouring bytes are cut off.
 */
export function base64OffsetVariants(bytes: Uint8Array): string[] {
  const starts = [0, 2, 3];
  const ends = [0, -3, -2];
  const out: string[] = [];
  for (let i = 0; i < 3; i++) {
    const padded = new Uint8Array(i + bytes.length);
    padded.fill(0x20, 0, i);
    padded.set(bytes, i);
    const enc = base64(padded);
    const end = ends[(bytes.length + i) % 3];
    out.push(enc.slice(starts[i], end === 0 ? undefined : end));
  }
  return out;
}

/** A string as UTF-16 bytes, each byte held in one character (code 0-255). */
export function utf16Chars(s: string, endian: 'le' | 'be'): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const lo = String.fromCharCode(c & 0xff);
    const hi = String.fromCharCode(c >> 8);
    out += endian === 'le' ? lo + hi : hi + lo;
  }
  return out;
}
