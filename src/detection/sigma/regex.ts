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
