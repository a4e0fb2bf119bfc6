import { scanText } from '../../classification/index.js';
import type { NormalizedEvent } from '../parsing/index.js';

/** Only the head of a line decides its shape: long lines cost no more than this. */
const SHAPE_INPUT_CHARS = 512;
const SHAPE_MAX_CHARS = 160;

/**
 * The variable parts of a line, most specific first: one pass of one regex, each alternative a
 * named group that becomes its placeholder. Times before IPv6 (10:00:01 is not an address), MACs
 * before both, a hex run needs a digit and a letter (so words and plain numbers stay what they are).
 */
const VARIABLE = new RegExp(
  [
    String.raw`(?<str>"(?:[^"\\]|\\.){0,200}"|'(?:[^'\\]|\\.){0,200}')`,
    String.raw`(?<uuid>\b[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}\b)`,
    String.raw`(?<mac>\b(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}\b)`,
    String.raw`(?<date>\b\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:[T ]\d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?)`,
    String.raw`(?<time>\b\d{1,2}:\d{2}:\d{2}(?:[.,]\d+)?\b)`,
    String.raw`(?<ip>\b(?:\d{1,3}\.){3}\d{1,3}(?:[:/]\d{1,5})?\b)`,
    String.raw`(?<ip6>(?<![\w:])(?=[0-9A-Fa-f:]*[0-9A-Fa-f])(?=[0-9A-Fa-f]*:[0-9A-Fa-f]*:)[0-9A-Fa-f:]{3,39}(?![\w:]))`,
    String.raw`(?<hex>\b0[xX][0-9A-Fa-f]+\b|\b(?=[0-9A-Fa-f]*\d)(?=[0-9A-Fa-f]*[A-Fa-f])[0-9A-Fa-f]{6,}\b)`,
    String.raw`(?<n>\d+(?:\.\d+)*)`,
  ].join('|'),
  'g',
);

const PLACEHOLDER: Record<string, string> = { str: '"<s>"', uuid: '<uuid>', mac: '<mac>', date: '<date>', time: '<time>', ip: '<ip>', ip6: '<ip6>', hex: '<hex>', n: '<n>' };

/**
 * The shape of a line: personal data (through the classification detectors) and every variable
 * part (numbers, addresses, hex, times, quoted strings) replaced by placeholders, so a thousand
 * lines of one kind are one shape, and no shape carries who or where.
 */
export function lineShape(text: string): string {
  let line = text.length > SHAPE_INPUT_CHARS ? text.slice(0, SHAPE_INPUT_CHARS) : text;
  const pii = scanText(line);
  for (let i = pii.length - 1; i >= 0; i--) line = `${line.slice(0, pii[i].start)}<${pii[i].type}>${line.slice(pii[i].end)}`;
  const shape = line
    .replace(VARIABLE, (...args) => {
      const groups = args[args.length - 1] as Record<string, string | undefined>;
      for (const name in groups) if (groups[name] !== undefined) return PLACEHOLDER[name];
      return '';
    })
    .replace(/\s+/g, ' ')
    .trim();
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
