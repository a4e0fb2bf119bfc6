import { RE2JS, RE2JSSyntaxException } from 're2js';
import { SigmaError, type SourcePos } from './errors.js';

/**
 * Sigma `re` values run on RE2 (the pure-JavaScript port `re2js`): matching time grows linearly
 * with the input, so no pattern can stall the service the way `^(a+)+$` stalls a backtracking
 * engine on one crafted log line. RE2 syntax is that of PCRE and Python for everything Sigma rules
 * use (classes, `\d \w \s \b`, `(?i)`-style flags anywhere, named groups, `{n,m}`); what only
 * backtracking can do (backreferences, lookaround, atomic groups, possessive quantifiers) is
 * refused when the rule is loaded, at the offending character.
 */
export interface RegexMatcher {
  test(text: string): boolean;
}

export interface RegexSource {
  /** The pattern as written in the rule (placeholders already substituted). */
  src: string;
  /** Sub-modifiers `i`, `m`, `s` as one-letter flags. */
  flags: string;
  anchorStart: boolean;
  anchorEnd: boolean;
  pos: SourcePos;
  /** Position of a character of the pattern in the rule file. */
  at?: (offset: number) => SourcePos;
}

/**
 * RE2 program size (≈ instructions) allowed per pattern. Matching costs up to input length × program
 * size: measured 0.6 s for a 2000-instruction pattern built to defeat RE2's DFA on a 64 KiB line (the
 * longest kept), 1.1 s at 4900. The largest of SigmaHQ's 216 patterns is 1003 (`.{1000,}`).
 */
export const MAX_REGEX_PROGRAM = 2000;

const FLAG_BITS: Record<string, number> = { i: RE2JS.CASE_INSENSITIVE, m: RE2JS.MULTILINE, s: RE2JS.DOTALL };

/** What backtracking engines accept and RE2 refuses, recognised by the fragment RE2 reports. */
const BACKTRACKING_ONLY: [RegExp, string][] = [
  [/^\(\?<?[=!]/, 'lookahead and lookbehind'],
  [/^\\[1-9]/, 'backreferences'],
  [/^\(\?>/, 'atomic groups'],
  [/^[*+?}]\+$/, 'possessive quantifiers'],
];

export function compileSigmaRegex(r: RegexSource, file: string): RegexMatcher {
  let flags = 0;
  for (const f of r.flags) flags |= FLAG_BITS[f];
  let src = r.src;
  if (r.anchorStart) src = '^(?:' + src + ')';
  if (r.anchorEnd) src = '(?:' + src + ')$';
  let compiled: RE2JS;
  try {
    compiled = RE2JS.compile(src, flags);
  } catch (e) {
    if (!(e instanceof RE2JSSyntaxException)) throw e;
    const fragment = e.input ?? '';
    const offset = fragment ? r.src.indexOf(fragment) : -1;
    const pos = offset >= 0 && r.at ? r.at(offset) : r.pos;
    const kind = BACKTRACKING_ONLY.find(([re]) => re.test(fragment))?.[1];
    const why = kind
      ? `${kind} need a backtracking engine; Taishi runs regular expressions in linear time (RE2 syntax), rewrite the pattern without them`
      : 'Taishi runs regular expressions with RE2 syntax';
    throw SigmaError.at(`invalid regular expression: ${e.error}${fragment ? ` '${fragment}'` : ''} (${why})`, file, pos);
  }
  const size = compiled.programSize();
  if (size > MAX_REGEX_PROGRAM) {
    throw SigmaError.at(`regular expression too large: ${size} RE2 instructions, at most ${MAX_REGEX_PROGRAM} (split it into several values)`, file, r.pos);
  }
  return compiled;
}

/** Characters that are always themselves in RE2 syntax, outside a class. */
const PLAIN = /[A-Za-z0-9 \-_=:;,'"/&%@!#~`<>]/;
/** Escapes that stand for one character of a class or a position: they end a literal run. */
const CLASS_ESCAPES = new Set('dDwWsSbBAznrtfv');

/**
 * The longest piece of text every match of the pattern contains, lower-cased (for prefilter
 * hints, which are looked for in lower-cased values), or undefined. Read conservatively: only the
 * top level of a pattern without alternatives counts (groups and classes end a run, an optional
 * or repeated character leaves it), only ASCII, and anything unusual (\Q, \x, \p, octal, a `{`
 * that is not a repetition) gives up. Under case folding an `s` ends a run too: RE2 folds it
 * with ſ, which lower-casing leaves as it is.
 */
export function requiredLiteral(src: string, flags: string): string | undefined {
  const folded = flags.includes('i') || /\(\?[a-zA-Z]*i/.test(src);
  const runs: string[] = [];
  let run = '';
  /** The last atom was the last character of `run`. */
  let inRun = false;
  const end = () => {
    if (run) runs.push(run);
    run = '';
    inRun = false;
  };
  const add = (c: string) => {
    if (folded && (c === 's' || c === 'S')) return end();
    run += c;
    inRun = true;
  };
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (c === '|') return undefined;
    if (c === '\\') {
      const e = src[i + 1];
      if (e === undefined) return undefined;
      if (/[A-Za-z0-9]/.test(e)) {
        if (!CLASS_ESCAPES.has(e)) return undefined;
        end();
      } else if (e.charCodeAt(0) < 128) add(e);
      else return undefined;
      i += 2;
      continue;
    }
    if (c === '[' || c === '(') {
      const after = c === '[' ? classEnd(src, i) : groupEnd(src, i);
      if (after < 0) return undefined;
      end();
      i = after;
      continue;
    }
    if (c === '*' || c === '?' || c === '+' || c === '{') {
      let min = c === '+' ? 1 : 0;
      let length = 1;
      if (c === '{') {
        const m = /^\{(\d+)(,\d*)?\}/.exec(src.slice(i));
        if (!m) return undefined;
        min = Number(m[1]);
        length = m[0].length;
      }
      if (inRun && min === 0) run = run.slice(0, -1);
      end();
      i += length;
      if (src[i] === '?' || src[i] === '+') i++;
      continue;
    }
    if (c.charCodeAt(0) < 128 && PLAIN.test(c)) add(c);
    else if (c.charCodeAt(0) < 128) end();
    else return undefined;
    i++;
  }
  end();
  let best = '';
  for (const r of runs) if (r.length > best.length) best = r;
  return best ? best.toLowerCase() : undefined;
}

/** Where the class opened at `i` ends (the index after its `]`), or -1 for one this reader leaves alone (brackets inside: POSIX names). */
function classEnd(src: string, i: number): number {
  let j = i + 1;
  if (src[j] === '^') j++;
  if (src[j] === ']') j++;
  while (j < src.length && src[j] !== ']') {
    if (src[j] === '[') return -1;
    j += src[j] === '\\' ? 2 : 1;
  }
  return j < src.length ? j + 1 : -1;
}

/** Where the group opened at `i` ends (the index after its `)`), or -1. */
function groupEnd(src: string, i: number): number {
  let depth = 0;
  let j = i;
  while (j < src.length) {
    const c = src[j];
    if (c === '\\') j += 2;
    else if (c === '[') {
      j = classEnd(src, j);
      if (j < 0) return -1;
    } else {
      if (c === '(') depth++;
      else if (c === ')' && --depth === 0) return j + 1;
      j++;
    }
  }
  return -1;
}
