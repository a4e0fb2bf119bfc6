import type { DetectionItem, ValueNode } from './ast.js';
import { SigmaError, type SourcePos } from './errors.js';
import type { RegexSource } from './regex.js';
import { posInScalar, type YScalar } from './yaml.js';
import {
  base64,
  base64OffsetVariants,
  hasWildcards,
  literalText,
  normalizeParts,
  parseCidr,
  parseSigmaString,
  stringBytes,
  utf16Chars,
  type CidrNet,
  type Part,
  type TimeUnit,
} from './primitives.js';

/**
 * Modifiers turn the values written in a rule into typed match specifications, left to right,
 * the way the Sigma specification (v2.1 modifier appendix) describes them:
 *
 *   generic   all, startswith, endswith, contains, exists, cased, neq
 *   string    windash, re (+ i / m / s, also ignorecase / multiline / dotall),
 *             base64, base64offset, utf16le, utf16be, utf16, wide
 *   numeric   lt, lte, gt, gte
 *   time      minute, hour, day, week, month, year (optionally followed by lt/lte/gt/gte)
 *   network   cidr
 *   specific  expand, fieldref
 *
 * Chains that make no sense are compile errors that point at the offending modifier, e.g. a
 * second position modifier, `i` without `re`, `re` after other value modifiers, `base64` of a value
 * with wildcards, or `base64offset` without a following `contains`.
 */
export const MODIFIER_NAMES = new Set([
  'all',
  'startswith',
  'endswith',
  'contains',
  'exists',
  'cased',
  'neq',
  'windash',
  're',
  'i',
  'ignorecase',
  'm',
  'multiline',
  's',
  'dotall',
  'base64',
  'base64offset',
  'utf16le',
  'utf16be',
  'utf16',
  'wide',
  'lt',
  'lte',
  'gt',
  'gte',
  'minute',
  'hour',
  'day',
  'week',
  'month',
  'year',
  'cidr',
  'expand',
  'fieldref',
]);

export type CompareOp = 'lt' | 'lte' | 'gt' | 'gte';
export type PositionMode = 'exact' | 'contains' | 'startswith' | 'endswith';

/** A value after its modifiers: what exactly is to be matched. */
export type Spec =
  /** `node`: the value as written in the rule (read by `re`, which comes first, to place its errors). */
  | { t: 'str'; parts: Part[]; cased: boolean; bin: boolean; raw: string; pos: SourcePos; node?: YScalar }
  | { t: 'num'; n: number; pos: SourcePos }
  | { t: 'bool'; b: boolean; pos: SourcePos }
  | { t: 'null'; pos: SourcePos }
  | ({ t: 're' } & RegexSource)
  | { t: 'cidr'; net: CidrNet; pos: SourcePos }
  | { t: 'cmp'; op: CompareOp; n: number; unit?: TimeUnit; pos: SourcePos }
  | { t: 'time'; unit: TimeUnit; n: number; pos: SourcePos }
  | { t: 'exists'; b: boolean; pos: SourcePos }
  | { t: 'fieldref'; field: string; mode: PositionMode; cased: boolean; pos: SourcePos }
  /** Alternatives produced by windash, base64offset or expand: any of them may match. */
  | { t: 'any'; alts: Spec[]; pos: SourcePos };

export interface ItemSpec {
  /** One spec per value written in the rule. */
  values: Spec[];
  /** `all`: every value must match (default: any). */
  all: boolean;
  /** `neq`: the item matches when its values do not. */
  negate: boolean;
}

export interface ModifierSettings {
  /** Values for `%name%` placeholders of the `expand` modifier. */
  placeholders?: Readonly<Record<string, string | readonly string[]>>;
  /** Leave unknown placeholders as literal text instead of failing (used for validation before settings exist). */
  lenientPlaceholders?: boolean;
}

const DASHES = ['-', '/', '\u2013', '\u2014', '\u2015'];
/** More dash positions than this become a character class instead of 5^n alternatives. */
const WINDASH_EXPAND_MAX = 3;
const TIME_RANGES: Record<TimeUnit, [number, number]> = {
  minute: [0, 59],
  hour: [0, 23],
  day: [1, 31],
  week: [1, 53],
  month: [1, 12],
  year: [-271821, 275760],
};
const REGEX_FLAGS: Record<string, string> = { i: 'i', ignorecase: 'i', m: 'm', multiline: 'm', s: 's', dotall: 's' };
const FIRST_ONLY = new Set(['re', 'cidr', 'fieldref', 'exists']);
const POSITION = new Set(['contains', 'startswith', 'endswith']);
const ENCODINGS = new Set(['utf16le', 'utf16be', 'utf16', 'wide']);
const COMPARE = new Set(['lt', 'lte', 'gt', 'gte']);
const TIME = new Set(['minute', 'hour', 'day', 'week', 'month', 'year']);

interface Env {
  file: string;
  modName: string;
  modPos: SourcePos;
  settings: ModifierSettings;
}

function err(env: Env, message: string, pos: SourcePos = env.modPos): never {
  throw SigmaError.at(message, env.file, pos);
}

function describe(v: Spec): string {
  switch (v.t) {
    case 'str':
      return v.bin ? 'an encoded string' : 'a string';
    case 'num':
      return 'a number';
    case 'bool':
      return 'a boolean';
    case 'null':
      return 'null';
    case 're':
      return 'a regular expression';
    case 'cidr':
      return 'a CIDR network';
    case 'cmp':
      return 'a comparison';
    case 'time':
      return 'a time part';
    case 'exists':
      return 'an exists test';
    case 'fieldref':
      return 'a field reference';
    case 'any':
      return 'alternatives';
  }
}

function initialSpec(v: ValueNode): Spec {
  const pos = v.pos;
  if (v.value === null) return { t: 'null', pos };
  if (typeof v.value === 'number') return { t: 'num', n: v.value, pos };
  if (typeof v.value === 'boolean') return { t: 'bool', b: v.value, pos };
  return { t: 'str', parts: parseSigmaString(v.value), cased: false, bin: false, raw: v.value, pos, node: v.node };
}

function asStr(v: Spec): Extract<Spec, { t: 'str' }> | undefined {
  if (v.t === 'str') return v;
  if (v.t === 'num' || v.t === 'bool') {
    const raw = String(v.t === 'num' ? v.n : v.b);
    return { t: 'str', parts: [{ t: 'lit', s: raw }], cased: false, bin: false, raw, pos: v.pos };
  }
  return undefined;
}

function asNumber(v: Spec): number | undefined {
  if (v.t === 'num') return v.n;
  if (v.t === 'str' && /^\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*$/.test(v.raw)) return Number(v.raw);
  return undefined;
}

/** Apply `fn` to each alternative of an expansion (expansions nest flat). */
function each(v: Spec, fn: (v: Spec) => Spec): Spec {
  if (v.t !== 'any') return fn(v);
  const alts: Spec[] = [];
  for (const a of v.alts) {
    const r = each(a, fn);
    if (r.t === 'any') alts.push(...r.alts);
    else alts.push(r);
  }
  return { t: 'any', alts, pos: v.pos };
}

export function processItem(item: DetectionItem, file: string, settings: ModifierSettings): ItemSpec {
  let all = false;
  let negate = false;
  let values = item.values.map(initialSpec);
  const applied: string[] = [];
  let base64offsetAt: SourcePos | undefined;
  let containsAfterOffset = false;

  for (const mod of item.modifiers) {
    const name = mod.name;
    const env: Env = { file, modName: name, modPos: mod.pos, settings };
    if (name === 'all') {
      if (all) err(env, "modifier 'all' given twice");
      if (!item.listForm) {
        err(env, "'all' needs a list of values (a single value with 'all' is not allowed by the Sigma specification)");
      }
      all = true;
      continue;
    }
    if (name === 'neq') {
      if (negate) err(env, "modifier 'neq' given twice");
      negate = true;
      continue;
    }
    // Chain-order rules that do not depend on the value.
    if (FIRST_ONLY.has(name) && applied.length > 0) {
      err(env, `'${name}' must come first in the modifier chain (it follows '${applied[applied.length - 1]}')`);
    }
    if (applied.includes('exists')) err(env, "'exists' cannot be combined with other value modifiers");
    if (name in REGEX_FLAGS && !applied.includes('re')) err(env, `'${name}' is a sub-modifier of 're' and must follow it`);
    if (POSITION.has(name) && applied.some((a) => POSITION.has(a))) {
      err(env, `only one of contains / startswith / endswith may be used (already '${applied.find((a) => POSITION.has(a))}')`);
    }
    if (ENCODINGS.has(name) && applied.some((a) => ENCODINGS.has(a))) err(env, `value is already UTF-16 encoded`);
    if (COMPARE.has(name) && applied.some((a) => COMPARE.has(a))) err(env, 'only one comparison modifier may be used');
    if (TIME.has(name) && applied.some((a) => TIME.has(a))) err(env, 'only one time-part modifier may be used');
    if (name === 'base64offset') base64offsetAt = mod.pos;
    if (name === 'contains' && base64offsetAt) containsAfterOffset = true;

    values = values.map((v) => each(v, (x) => applyModifier(x, env)));
    applied.push(name);
  }
  if (base64offsetAt && !containsAfterOffset) {
    throw SigmaError.at("'base64offset' must be followed by 'contains' (it only matches inside a longer base64 text)", file, base64offsetAt);
  }
  // Values without modifiers that can take none: null with neq is fine (field present), otherwise plain.
  if (item.field === null) values = values.map((v) => each(v, (x) => keywordSpec(x, file, applied)));
  else if (applied.length > 0) {
    for (const v of values) {
      if (v.t === 'null') throw SigmaError.at("null cannot be combined with value modifiers (use 'exists')", file, v.pos);
    }
  }
  return { values, all, negate };
}

/** Keywords search text: a plain string is found anywhere in a value (implicit contains). */
function keywordSpec(v: Spec, file: string, applied: string[]): Spec {
  switch (v.t) {
    case 'null':
      throw SigmaError.at('a keyword cannot be null', file, v.pos);
    case 'cidr':
    case 'cmp':
    case 'time':
    case 'exists':
    case 'fieldref':
      throw SigmaError.at(`${describe(v)} needs a field name`, file, v.pos);
    case 're':
      return v;
    default: {
      const s = asStr(v)!;
      if (applied.some((a) => POSITION.has(a))) return s;
      return { ...s, parts: wrap(s.parts, true, true) };
    }
  }
}

function wrap(parts: Part[], start: boolean, end: boolean): Part[] {
  const out = [...parts];
  if (start && out[0]?.t !== 'star') out.unshift({ t: 'star' });
  if (end && out[out.length - 1]?.t !== 'star') out.push({ t: 'star' });
  return normalizeParts(out);
}

function applyModifier(v: Spec, env: Env): Spec {
  const name = env.modName;
  const bad = (): never => err(env, `modifier '${name}' cannot be applied to ${describe(v)}`);
  if (v.t === 'null') err(env, "null cannot be combined with value modifiers (use 'exists')", v.pos);

  switch (name) {
    case 'contains':
    case 'startswith':
    case 'endswith': {
      if (v.t === 're') {
        if (name === 'startswith') return { ...v, anchorStart: true };
        if (name === 'endswith') return { ...v, anchorEnd: true };
        return v; // regular expressions already match anywhere
      }
      if (v.t === 'fieldref') return { ...v, mode: name };
      const s = asStr(v) ?? bad();
      return { ...s, parts: wrap(s.parts, name !== 'startswith', name !== 'endswith') };
    }
    case 'cased': {
      if (v.t === 'fieldref') return { ...v, cased: true };
      if (v.t === 're') err(env, "'cased' does not apply to 're' (regular expressions are case-sensitive unless 'i' is given)");
      const s = asStr(v) ?? bad();
      return { ...s, cased: true };
    }
    case 'windash': {
      const s = asStr(v) ?? bad();
      return windash(s);
    }
    case 're': {
      const s = asStr(v) ?? bad();
      const node = s.node;
      return { t: 're', src: s.raw, flags: '', anchorStart: false, anchorEnd: false, pos: s.pos, at: node && ((offset) => posInScalar(node, offset)) };
    }
    case 'i':
    case 'ignorecase':
    case 'm':
    case 'multiline':
    case 's':
    case 'dotall': {
      if (v.t !== 're') return bad();
      const f = REGEX_FLAGS[name];
      return v.flags.includes(f) ? v : { ...v, flags: v.flags + f };
    }
    case 'base64':
    case 'base64offset': {
      const s = asStr(v) ?? bad();
      if (hasWildcards(s.parts)) {
        err(env, `'${name}' cannot encode a value with wildcards (escape them as \\* or \\?)`, s.pos);
      }
      const bytes = stringBytes(literalText(s.parts), s.bin);
      const mk = (text: string): Spec => ({ t: 'str', parts: [{ t: 'lit', s: text }], cased: s.cased, bin: false, raw: text, pos: s.pos });
      if (name === 'base64') return mk(base64(bytes));
      const alts = base64OffsetVariants(bytes).filter((x) => x.length > 0);
      if (alts.length === 0) err(env, "value too short for 'base64offset'", s.pos);
      return alts.length === 1 ? mk(alts[0]) : { t: 'any', alts: alts.map(mk), pos: s.pos };
    }
    case 'utf16le':
    case 'wide':
    case 'utf16be':
    case 'utf16': {
      const s = asStr(v) ?? bad();
      if (s.parts.some((p) => p.t === 'class')) err(env, `cannot UTF-16 encode a windash value with more than ${WINDASH_EXPAND_MAX} dashes`);
      const endian = name === 'utf16be' ? 'be' : 'le';
      const parts: Part[] = s.parts.map((p) => (p.t === 'lit' ? { t: 'lit', s: utf16Chars(p.s, endian) } : p));
      if (name === 'utf16') parts.unshift({ t: 'lit', s: '\xff\xfe' });
      const out = normalizeParts(parts);
      return { ...s, parts: out, bin: true, raw: literalText(out) };
    }
    case 'lt':
    case 'lte':
    case 'gt':
    case 'gte': {
      if (v.t === 'time') return { t: 'cmp', op: name, n: v.n, unit: v.unit, pos: v.pos };
      const n = asNumber(v);
      if (n === undefined) err(env, `'${name}' compares numbers, got ${describe(v)}`, v.pos);
      return { t: 'cmp', op: name, n, pos: v.pos };
    }
    case 'minute':
    case 'hour':
    case 'day':
    case 'week':
    case 'month':
    case 'year': {
      const n = asNumber(v);
      if (n === undefined || !Number.isInteger(n)) err(env, `'${name}' needs an integer value, got ${describe(v)}`, v.pos);
      const [lo, hi] = TIME_RANGES[name];
      if (n < lo || n > hi) err(env, `'${name}' must be between ${lo} and ${hi}, got ${n}`, v.pos);
      return { t: 'time', unit: name, n, pos: v.pos };
    }
    case 'cidr': {
      const s = asStr(v) ?? bad();
      const net = parseCidr(s.raw);
      if (!net) err(env, `invalid CIDR network '${s.raw}' (expected e.g. 10.0.0.0/8 or fd00::/8)`, s.pos);
      return { t: 'cidr', net, pos: s.pos };
    }
    case 'expand':
      return expand(v, env);
    case 'fieldref': {
      const s = asStr(v) ?? bad();
      if (hasWildcards(s.parts)) err(env, 'a field reference cannot contain wildcards', s.pos);
      const field = literalText(s.parts);
      if (!field) err(env, 'a field reference needs a field name', s.pos);
      return { t: 'fieldref', field, mode: 'exact', cased: false, pos: s.pos };
    }
    case 'exists': {
      let b: boolean | undefined;
      if (v.t === 'bool') b = v.b;
      else if (v.t === 'str' && /^(true|false)$/i.test(v.raw)) b = v.raw.toLowerCase() === 'true';
      if (b === undefined) err(env, `'exists' needs true or false, got ${describe(v)}`, v.pos);
      return { t: 'exists', b, pos: v.pos };
    }
  }
  return err(env, `unknown modifier '${name}'`);
}

function isWordChar(c: string | undefined): boolean {
  return c !== undefined && /[A-Za-z0-9_]/.test(c);
}

/**
 * windash: a '-' or '/' that starts a word-like option (not preceded by a word character,
 * followed by one) may be written with any of - / – — ―. Up to three such places expand into
 * alternatives (fast literal matching); more become a character class.
 */
function windash(s: Extract<Spec, { t: 'str' }>): Spec {
  type Unit = { c: string } | { p: Part };
  const units: Unit[] = [];
  for (const p of s.parts) {
    if (p.t === 'lit') for (const c of p.s) units.push({ c });
    else units.push({ p });
  }
  const positions: number[] = [];
  for (let k = 0; k < units.length; k++) {
    const u = units[k];
    if (!('c' in u) || (u.c !== '-' && u.c !== '/')) continue;
    const prev = units[k - 1];
    const next = units[k + 1];
    const prevWord = prev !== undefined && 'c' in prev && isWordChar(prev.c);
    const nextWord = next !== undefined && 'c' in next && isWordChar(next.c);
    if (!prevWord && nextWord) positions.push(k);
  }
  if (positions.length === 0) return s;
  const build = (choice: (k: number) => Part | string): Part[] => {
    const parts: Part[] = [];
    units.forEach((u, k) => {
      const x = positions.includes(k) ? choice(k) : 'c' in u ? u.c : u.p;
      parts.push(typeof x === 'string' ? { t: 'lit', s: x } : x);
    });
    return normalizeParts(parts);
  };
  if (positions.length > WINDASH_EXPAND_MAX) {
    const parts = build(() => ({ t: 'class', chars: DASHES }));
    return { ...s, parts, raw: s.raw };
  }
  const alts: Spec[] = [];
  const total = DASHES.length ** positions.length;
  for (let n = 0; n < total; n++) {
    let rest = n;
    const pick = new Map<number, string>();
    for (const k of positions) {
      pick.set(k, DASHES[rest % DASHES.length]);
      rest = Math.floor(rest / DASHES.length);
    }
    const parts = build((k) => pick.get(k)!);
    alts.push({ ...s, parts, raw: literalText(parts) });
  }
  return { t: 'any', alts, pos: s.pos };
}

const PLACEHOLDER = /%([A-Za-z0-9_.\-]+)%/g;

function placeholderValues(name: string, env: Env, pos: SourcePos): string[] | undefined {
  const map = env.settings.placeholders;
  const v = map && Object.prototype.hasOwnProperty.call(map, name) ? map[name] : undefined;
  if (v === undefined) {
    if (env.settings.lenientPlaceholders) return undefined;
    err(env, `unresolved placeholder %${name}% (no value given for it in the compile settings)`, pos);
  }
  const list = typeof v === 'string' ? [v] : [...v];
  if (list.length === 0) err(env, `placeholder %${name}% has an empty value list`, pos);
  return list;
}

/**
 * expand: `%name%` placeholders are replaced by the values given at compile time. A placeholder
 * with several values (or several placeholders) yields alternatives. Placeholder values are
 * Sigma strings themselves, so they may carry wildcards.
 */
function expand(v: Spec, env: Env): Spec {
  if (v.t === 're') {
    let src = v.src;
    for (const m of [...v.src.matchAll(PLACEHOLDER)]) {
      const vals = placeholderValues(m[1], env, v.pos);
      if (!vals) continue;
      src = src.split(m[0]).join('(?:' + vals.map((x) => x.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&')).join('|') + ')');
    }
    return { ...v, src };
  }
  const s = asStr(v);
  if (!s) return err(env, `modifier 'expand' cannot be applied to ${describe(v)}`);
  // Alternatives as lists of parts; each literal part may hold placeholders.
  let alts: Part[][] = [[]];
  for (const p of s.parts) {
    if (p.t !== 'lit') {
      alts = alts.map((a) => [...a, p]);
      continue;
    }
    let last = 0;
    for (const m of p.s.matchAll(PLACEHOLDER)) {
      const before = p.s.slice(last, m.index);
      last = (m.index ?? 0) + m[0].length;
      const vals = placeholderValues(m[1], env, s.pos);
      const pieces: Part[][] = vals ? vals.map((x) => parseSigmaString(x)) : [[{ t: 'lit', s: m[0] }]];
      const next: Part[][] = [];
      for (const a of alts) for (const piece of pieces) next.push([...a, { t: 'lit', s: before }, ...piece]);
      alts = next;
      if (alts.length > 4096) err(env, 'placeholder expansion yields more than 4096 alternatives', s.pos);
    }
    const tail = p.s.slice(last);
    alts = alts.map((a) => [...a, { t: 'lit', s: tail }]);
  }
  const specs: Spec[] = alts.map((a) => {
    const parts = normalizeParts(a);
    return { ...s, parts, raw: literalText(parts) };
  });
  return specs.length === 1 ? specs[0] : { t: 'any', alts: specs, pos: s.pos };
}
