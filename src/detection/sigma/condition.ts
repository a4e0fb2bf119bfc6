import { SigmaError, type SourcePos } from './errors.js';
import { normalizeParts, wildcardMatcher, type Part } from './primitives.js';

/**
 * The Sigma condition language, parsed by hand (tokenizer + recursive descent):
 *
 *   expr    := and ( 'or' and )*
 *   and     := unary ( 'and' unary )*
 *   unary   := 'not' unary | primary
 *   primary := '(' expr ')' | quant 'of' pattern | identifier
 *   quant   := '1' | 'any' | 'all'
 *   pattern := 'them' | identifier with optional '*' wildcards
 *
 * Precedence is not > and > or; and/or are left-associative. Keywords are matched without regard
 * to case. A condition names identifiers made of letters, digits, '_', '-' and '.'; others are
 * reached only through patterns. `them` and `x*` patterns never include identifiers that start
 * with '_' (the Sigma convention for helper selections).
 * The deprecated aggregation syntax (`| count() > 5`) is rejected with a pointer to correlations.
 */
export type ConditionNode =
  | { kind: 'id'; name: string; offset: number }
  | { kind: 'not'; arg: ConditionNode; offset: number }
  | { kind: 'and' | 'or'; args: ConditionNode[]; offset: number }
  | { kind: 'of'; quantifier: 'any' | 'all'; pattern: string; offset: number };

type TokenKind = 'word' | '(' | ')' | 'eof';
interface Token {
  kind: TokenKind;
  text: string;
  offset: number;
}

/** Deeper nesting than this is refused instead of risking the stack. */
const MAX_DEPTH = 100;
const WORD_CHAR = /[A-Za-z0-9_.\-*]/;

export interface ConditionLocator {
  file: string;
  /** Source position of the character at `offset` in the condition text. */
  at(offset: number): SourcePos;
}

function fail(loc: ConditionLocator, offset: number, message: string): never {
  const pos = loc.at(offset);
  throw new SigmaError(`condition (column ${offset + 1}): ${message}`, loc.file, pos.line, pos.column);
}

function tokenize(text: string, loc: ConditionLocator): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')') {
      tokens.push({ kind: c, text: c, offset: i });
      i++;
    } else if (WORD_CHAR.test(c)) {
      const start = i;
      while (i < text.length && WORD_CHAR.test(text[i])) i++;
      tokens.push({ kind: 'word', text: text.slice(start, i), offset: start });
    } else if (c === '|') {
      fail(loc, i, "aggregation expressions ('| count() ...') are not part of Sigma v2; write a correlation rule instead");
    } else {
      fail(loc, i, `unexpected character ${JSON.stringify(c)}`);
    }
  }
  tokens.push({ kind: 'eof', text: '', offset: text.length });
  return tokens;
}

const KEYWORDS = new Set(['and', 'or', 'not', 'of']);

export function parseCondition(text: string, loc: ConditionLocator): ConditionNode {
  const tokens = tokenize(text, loc);
  let p = 0;
  let depth = 0;
  const peek = () => tokens[p];
  const isWord = (t: Token, w: string) => t.kind === 'word' && t.text.toLowerCase() === w;
  const describe = (t: Token) => (t.kind === 'eof' ? 'end of condition' : `'${t.text}'`);

  const enter = (offset: number) => {
    if (++depth > MAX_DEPTH) fail(loc, offset, `expression nested deeper than ${MAX_DEPTH} levels`);
  };

  /** `next ( op next )*`, left-associative; or binds looser than and. */
  function parseBinary(op: 'and' | 'or', next: () => ConditionNode): ConditionNode {
    const first = next();
    const args = [first];
    while (isWord(peek(), op)) {
      p++;
      args.push(next());
    }
    return args.length === 1 ? first : { kind: op, args, offset: first.offset };
  }
  const parseAnd = (): ConditionNode => parseBinary('and', parseUnary);
  const parseOr = (): ConditionNode => parseBinary('or', parseAnd);

  function parseUnary(): ConditionNode {
    const t = peek();
    if (isWord(t, 'not')) {
      enter(t.offset);
      p++;
      const arg = parseUnary();
      depth--;
      return { kind: 'not', arg, offset: t.offset };
    }
    return parsePrimary();
  }

  function parsePrimary(): ConditionNode {
    const t = peek();
    if (t.kind === '(') {
      enter(t.offset);
      p++;
      const inner = parseOr();
      const close = peek();
      if (close.kind !== ')') {
        fail(loc, close.offset, `expected ')' to close the '(' at column ${t.offset + 1}, found ${describe(close)}`);
      }
      p++;
      depth--;
      return inner;
    }
    if (t.kind === ')') fail(loc, t.offset, "unexpected ')'");
    if (t.kind === 'eof') fail(loc, t.offset, 'unexpected end of condition, expected a search identifier');
    // t is a word
    const lower = t.text.toLowerCase();
    const next = tokens[p + 1];
    if (isWord(next, 'of')) {
      let quantifier: 'any' | 'all';
      if (lower === '1' || lower === 'any') quantifier = 'any';
      else if (lower === 'all') quantifier = 'all';
      else if (/^\d+$/.test(lower)) fail(loc, t.offset, `'${t.text} of' is not supported: use '1 of', 'any of' or 'all of'`);
      else fail(loc, t.offset, `expected '1', 'any' or 'all' before 'of', found '${t.text}'`);
      p += 2;
      const pat = peek();
      if (pat.kind !== 'word' || KEYWORDS.has(pat.text.toLowerCase())) {
        fail(loc, pat.offset, `expected 'them' or a search identifier pattern after 'of', found ${describe(pat)}`);
      }
      if (!/^[A-Za-z0-9_.\-*]+$/.test(pat.text)) fail(loc, pat.offset, `invalid pattern '${pat.text}'`);
      p++;
      const pattern = pat.text.toLowerCase() === 'them' ? 'them' : pat.text;
      return { kind: 'of', quantifier, pattern, offset: t.offset };
    }
    if (KEYWORDS.has(lower)) fail(loc, t.offset, `unexpected '${t.text}', expected a search identifier`);
    if (t.text.includes('*')) fail(loc, t.offset, `wildcards are only allowed in '1 of' / 'all of' patterns: '${t.text}'`);
    p++;
    return { kind: 'id', name: t.text, offset: t.offset };
  }

  const tree = parseOr();
  const rest = peek();
  if (rest.kind !== 'eof') {
    fail(loc, rest.offset, `unexpected ${describe(rest)} after a complete expression (missing 'and' / 'or'?)`);
  }
  return tree;
}

/** Identifiers a `1 of pattern` / `all of them` selector refers to, in definition order. */
export function selectIdentifiers(pattern: string, identifiers: Iterable<string>): string[] {
  const out: string[] = [];
  if (pattern === 'them') {
    for (const id of identifiers) if (!id.startsWith('_')) out.push(id);
    return out;
  }
  // `*` is the only wildcard of a selector; matched like rule values, without backtracking.
  const pieces = pattern.split('*').flatMap((s, i): Part[] => (i ? [{ t: 'star' }, { t: 'lit', s }] : [{ t: 'lit', s }]));
  const matches = wildcardMatcher(normalizeParts(pieces));
  // A pattern that itself starts with '_' asks for helper selections explicitly.
  const skipHelpers = !pattern.startsWith('_');
  for (const id of identifiers) if (!(skipHelpers && id.startsWith('_')) && matches(id)) out.push(id);
  return out;
}
