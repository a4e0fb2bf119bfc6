import { coordinateKeyAxis, isPrecisePairInChina } from './location.js';
import { isSensitive, scanText } from './registry.js';
import type { EventFinding, PiiFinding } from './types.js';

/** A string or number leaf of an event in which the detectors found something. */
export interface Leaf {
  path: string;
  original: string | number;
  /** The leaf as text: numbers are scanned in their JSON spelling, so `"phone": 13812345678` counts. */
  text: string;
  findings: readonly PiiFinding[];
}

/** Replaces a leaf with findings in the copy; returning `leaf.original` keeps it. */
export type LeafRewriter = (leaf: Leaf) => unknown;

/**
 * Fields a walk leaves as they are, by key from the top: `true` for a whole subtree, a nested map
 * for some of its fields. For what the caller wrote itself and knows to hold nothing of anyone.
 */
export type ExemptFields = ReadonlyMap<string, true | ExemptFields>;

// Events come from JSON, so deeper nesting or cycles mean a hostile or broken producer. The copy
// then carries a marker instead of the unexamined content, so nothing leaves unmasked.
const MAX_DEPTH = 64;
export const TOO_DEEP = '[too deep]';
export const CIRCULAR = '[circular]';

const PLAIN_KEY = /^[\p{L}_$][\p{L}\p{N}_$]*$/u;

function formatPath(segments: readonly (string | number)[]): string {
  let path = '';
  for (const key of segments) {
    if (typeof key === 'number') path += `[${key}]`;
    else if (!PLAIN_KEY.test(key)) path += `[${JSON.stringify(key)}]`;
    else path += path ? `.${key}` : key;
  }
  return path;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (value === null || typeof value !== 'object') return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

function leafText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/**
 * Keys of an object that hold the two halves of a precise coordinate, e.g. `{ lat: 39.9087, lng:
 * 116.3975 }` from IoT telemetry. Each half alone is just a number, so the pair is judged here.
 */
const NO_KEYS: ReadonlySet<string> = new Set();
// Cheap filter before splitting a key into words: every coordinate key contains one of these.
const MAYBE_COORDINATE_KEY = /la|lo|ln|度/i;

/**
 * Each key's axis (null: none), remembered: events of one kind repeat their keys, and keys such as
 * `LogonType` or `claimed_hostname` pass the cheap filter only to be split into words. Keys come
 * from producers, so once this many are known the rest are judged afresh each time.
 */
const keyAxes = new Map<string, 'lat' | 'lon' | null>();
const KEY_AXES_KEPT = 4096;

function keyAxis(key: string): 'lat' | 'lon' | null {
  let axis = keyAxes.get(key);
  if (axis === undefined) {
    axis = (MAYBE_COORDINATE_KEY.test(key) && coordinateKeyAxis(key)) || null;
    if (keyAxes.size < KEY_AXES_KEPT) keyAxes.set(key, axis);
  }
  return axis;
}

function coordinateKeys(node: Record<string, unknown>, keys: readonly string[]): ReadonlySet<string> {
  let latKey: string | undefined;
  let lonKey: string | undefined;
  for (const key of keys) {
    const axis = keyAxis(key);
    if (axis === null) continue;
    if (axis === 'lat') latKey ??= key;
    else if (axis === 'lon') lonKey ??= key;
  }
  if (latKey === undefined || lonKey === undefined) return NO_KEYS;
  const lat = leafText(node[latKey]);
  const lon = leafText(node[lonKey]);
  if (lat === undefined || lon === undefined || !isPrecisePairInChina(lat.trim(), lon.trim())) return NO_KEYS;
  return new Set([latKey, lonKey]);
}

function coordinateFinding(text: string): PiiFinding {
  return { type: 'location', value: text, start: 0, end: text.length, sensitive: isSensitive('location'), confidence: 0.95 };
}

function walk(root: unknown, visit: LeafRewriter, copy: boolean, exemptAtRoot?: ExemptFields): unknown {
  // The objects and arrays being visited, outermost first: JSON is shallow, so looking for a cycle
  // along this path is cheaper than hashing every node into a set.
  const ancestors: object[] = [];
  // Most leaves hold nothing, so the path is kept as segments and formatted only for findings.
  const segments: (string | number)[] = [];
  const step = (node: unknown, depth: number, isCoordinate: boolean, exempt: ExemptFields | undefined): unknown => {
    // ports, process ids, status codes: written out, shorter than any finding
    if (typeof node === 'number' && !isCoordinate && Number.isInteger(node) && node > -1e4 && node < 1e5) return node;
    const text = leafText(node);
    if (text !== undefined) {
      const findings = isCoordinate ? [coordinateFinding(text)] : scanText(text);
      if (findings.length === 0) return node;
      return visit({ path: formatPath(segments), original: node as string | number, text, findings });
    }
    if (node === null || typeof node !== 'object') return node;
    if (!Array.isArray(node) && !isPlainObject(node)) return node;
    if (depth >= MAX_DEPTH) return TOO_DEEP;
    if (ancestors.includes(node)) return CIRCULAR;
    ancestors.push(node);
    // Copy on write: a subtree without findings is returned as it is, so events without personal
    // data cost no allocation at all.
    let result: unknown = copy ? node : undefined;
    if (Array.isArray(node)) {
      let children: unknown[] | undefined;
      for (let index = 0; index < node.length; index++) {
        const child: unknown = node[index];
        segments.push(index);
        const value = step(child, depth + 1, false, undefined);
        segments.pop();
        if (copy && value !== child) (children ??= node.slice())[index] = value;
      }
      if (children) result = children;
    } else {
      const keys = Object.keys(node);
      const coordinates = coordinateKeys(node, keys);
      let changed: Record<string, unknown> | undefined;
      for (const key of keys) {
        const exemptBelow = exempt?.get(key);
        if (exemptBelow === true) continue;
        const child = node[key];
        segments.push(key);
        const value = step(child, depth + 1, coordinates.has(key), exemptBelow);
        segments.pop();
        if (copy && value !== child) (changed ??= { ...(node as Record<string, unknown>) })[key] = value;
      }
      if (changed) result = changed;
    }
    ancestors.pop();
    return result;
  };
  return step(root, 0, false, exemptAtRoot);
}

/**
 * A copy of `event` in which every string and number leaf of plain objects and arrays that holds
 * personal information is replaced by what `rewrite` returns. Other values (Dates, Buffers…), and
 * the `exempt` fields, are shared with the original.
 */
export function mapEventLeaves(event: unknown, rewrite: LeafRewriter, exempt?: ExemptFields): unknown {
  return walk(event, rewrite, true, exempt);
}

/** All personal information in the string and number leaves of an event, each with its field path. */
export function scanEvent(event: unknown): EventFinding[] {
  const found: EventFinding[] = [];
  walk(
    event,
    (leaf) => {
      for (const finding of leaf.findings) found.push({ path: leaf.path, ...finding });
    },
    false,
  );
  return found;
}
