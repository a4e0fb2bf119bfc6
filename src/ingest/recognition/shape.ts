import { scanText } from '../../classification/index.js';
import type { NormalizedEvent } from '../parsing/index.js';

/** Only the head of a line decides its shape: long lines cost no more than this. */
const SHAPE_INPUT_CHARS = 512;
const SHAPE_MAX_CHARS = 160;

/**
 * The variable parts of a line, most specific first, each with its placeholder. Times before IPv6
 * (10:00:01 is not an address), MACs before both, a hex run needs a digit and a letter (so words
 * and plain numbers stay what they are).
 */
const VARIABLE_PARTS: readonly [placeholder: string, pattern: string][] = [
  ['"<s>"', String.raw`"(?:[^"\\]|\\.){0,200}"|'(?:[^'\\]|\\.){0,200}'`],
  ['<uuid>', String.raw`\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b`],
  ['<mac>', String.raw`\b(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b`],
  ['<date>', String.raw`\b\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?`],
  ['<time>', String.raw`\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b`],
  ['<ip>', String.raw`\b(?:\d{1,3}\.){3}\d{1,3}(?:[:/]\d{1,5})?\b`],
  ['<ip6>', String.raw`(?<![\w:])(?=[0-9A-Fa-f:]*[0-9A-Fa-f])(?=[0-9A-Fa-f]*:[0-9A-Fa-f]*:)[0-9A-Fa-f:]{3,39}(?![\w:])`],
  ['<hex>', String.raw`\b0[xX][0-9A-Fa-f]+\b|\b(?=[0-9A-Fa-f]*\d)(?=[0-9A-Fa-f]*[A-Fa-f])[0-9A-Fa-f]{6,}\b`],
  ['<n>', String.raw`\d+(?:\.\d+)*`],
];

/**
 * One pass of one regex, each part a numbered group. Every part starts with a quote, a digit, a
 * colon or a hex letter at a word start; the lookahead in front says so, which lets the engine
 * skip the other positions without trying nine alternatives at each (over twice as fast on log lines).
 */
const VARIABLE = new RegExp(String.raw`(?=["'\d:]|\b[A-Fa-f])(?:${VARIABLE_PARTS.map(([, pattern]) => `(${pattern})`).join('|')})`, 'g');

/**
 * Every variable part replaced by its placeholder. An exec loop over numbered groups: `replace`
 * with a callback and named groups builds an arguments array and a groups object per match, which
 * cost several times the matching itself.
 */
function withPlaceholders(line: string): string {
  let shaped = '';
  let copied = 0;
  VARIABLE.lastIndex = 0;
  for (let match = VARIABLE.exec(line); match; match = VARIABLE.exec(line)) {
    let group = 1;
    while (match[group] === undefined) group++;
    shaped += line.slice(copied, match.index) + VARIABLE_PARTS[group - 1][0];
    copied = VARIABLE.lastIndex;
  }
  return shaped + line.slice(copied);
}

/**
 * The shape of a line: personal data (through the classification detectors) and every variable
 * part (numbers, addresses, hex, times, quoted strings) replaced by placeholders, so a thousand
 * lines of one kind are one shape, and no shape carries who or where.
 */
export function lineShape(text: string): string {
  let line = text.length > SHAPE_INPUT_CHARS ? text.slice(0, SHAPE_INPUT_CHARS) : text;
  const pii = scanText(line);
  for (let i = pii.length - 1; i >= 0; i--) line = `${line.slice(0, pii[i].start)}<${pii[i].type}>${line.slice(pii[i].end)}`;
  const shape = withPlaceholders(line).replace(/\s+/g, ' ').trim();
  return shape.length > SHAPE_MAX_CHARS ? `${shape.slice(0, SHAPE_MAX_CHARS - 1)}…` : shape;
}

/** Huawei/H3C style `%%01SHELL/5/CMDRECORD(s)`: the module (SHELL) is the program, not each message id. */
const VRP_TAG = /^%%\d*([A-Za-z][\w-]*)\//;
const PROGRAM_MAX_CHARS = 48;

/**
 * The sending program or device of an event, for telling which systems Taishi can read: the
 * syslog app name or process, else the product that logged it, else the dataset the parser chose.
 */
export function programOf(event: NormalizedEvent): string {
  const raw = event.log?.syslog?.appname || event.process?.name || event.observer?.product || event.event.dataset || 'unknown';
  const vrp = VRP_TAG.exec(raw);
  const program = vrp ? `%%${vrp[1]}` : raw;
  return program.length > PROGRAM_MAX_CHARS ? program.slice(0, PROGRAM_MAX_CHARS) : program;
}

/** The part of an event that shows its shape: the message without the syslog header, else the line. */
export function shapeText(event: NormalizedEvent): string {
  return event.message ?? event.event.original ?? '';
}
