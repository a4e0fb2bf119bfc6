/**
 * Reading fields out of an event (a plain nested JS object) during evaluation.
 *
 * A field path is dotted (`process.command_line`). At every level the longest matching key wins
 * first, so flattened keys (`{ 'process.command_line': ... }`), nested objects and mixtures of the
 * two all resolve. Arrays anywhere on the path fan out: the field's values are all the leaves
 * reached, and a matcher matches when any of them matches.
 *
 * One EvalContext lives for one event: it remembers every field it resolved and the lower-cased
 * strings it derived, so rules evaluated over the same event (pass the same context) never walk
 * the object or lower-case the same value twice.
 */

const hasOwn = Object.prototype.hasOwnProperty;

/** The values one (mapped) field has in one event. */
export class FieldValues {
  private strs?: (string | undefined)[];
  private lows?: (string | undefined)[];
  constructor(
    /** Some candidate path exists in the event (even with a null value). */
    readonly present: boolean,
    /** Leaf values, arrays flattened; may contain null. */
    readonly values: unknown[],
  ) {}

  /** String form of each leaf (numbers and booleans stringified; undefined for null and objects). */
  strings(): (string | undefined)[] {
    if (this.strs) return this.strs;
    // most fields hold strings only, which are their own string forms: no copy for them
    const values = this.values;
    let i = 0;
    while (i < values.length && typeof values[i] === 'string') i++;
    if (i === values.length) return (this.strs = values as string[]);
    const out = new Array<string | undefined>(values.length);
    for (i = 0; i < values.length; i++) out[i] = toStr(values[i]);
    return (this.strs = out);
  }

  lowers(): (string | undefined)[] {
    if (this.lows) return this.lows;
    const s = this.strings();
    const out = new Array<string | undefined>(s.length);
    for (let i = 0; i < s.length; i++) out[i] = s[i]?.toLowerCase();
    return (this.lows = out);
  }
}

/** A field none of whose paths the event has. */
const ABSENT = new FieldValues(false, []);

export function toStr(v: unknown): string | undefined {
  switch (typeof v) {
    case 'string':
      return v;
    case 'number':
    case 'boolean':
    case 'bigint':
      return String(v);
    default:
      return undefined;
  }
}

/**
 * A dotted path as the keys it can be found under: `keys[i][k]` joins segments i … i+k with dots
 * (a flattened key such as `winlog.event_id`). Made once per path, so reading one builds no
 * strings.
 */
export type PathKeys = readonly (readonly string[])[];

export function pathKeys(path: string): PathKeys {
  const segs = path.split('.');
  return segs.map((_, i) => segs.slice(i).map((__, k) => segs.slice(i, i + k + 1).join('.')));
}

/**
 * Pushes the leaves found at `keys[i..]` below `obj`; true when the path exists. `flattened`: keys
 * may have dots, so every way of splitting the path into keys is tried, each with
 * `hasOwnProperty`; otherwise each segment is one key, read with a plain property load.
 */
function walk(obj: unknown, keys: PathKeys, i: number, out: unknown[], flattened: boolean): boolean {
  if (i === keys.length) {
    pushLeaves(obj, out);
    return obj !== undefined;
  }
  if (obj === null || typeof obj !== 'object') return false;
  if (Array.isArray(obj)) {
    let found = false;
    for (const el of obj) if (walk(el, keys, i, out, flattened)) found = true;
    return found;
  }
  const row = keys[i];
  if (!flattened) {
    const v = (obj as Record<string, unknown>)[row[0]];
    return v !== undefined && walk(v, keys, i + 1, out, false);
  }
  let found = false;
  for (let k = 0; k < row.length; k++) {
    const key = row[k];
    if (hasOwn.call(obj, key)) {
      if (walk((obj as Record<string, unknown>)[key], keys, i + k + 1, out, true)) found = true;
    }
  }
  return found;
}

function pushLeaves(v: unknown, out: unknown[]): void {
  if (Array.isArray(v)) for (const el of v) pushLeaves(el, out);
  else if (v !== undefined) out.push(v);
}

/**
 * How a path is read. With keys that have dots in the event (`flattened`, see `walk`) or a
 * segment naming a member every object inherits (`constructor`, `toString` …: `inherited`), it is
 * walked with a `hasOwnProperty` call per possible key. Otherwise its leaf is a plain property
 * load from its parent object, and the parent (`winlog.event_data`, the parent of most Windows
 * fields) is looked up once per event, however many fields below it rules read.
 */
interface PathRead {
  keys: PathKeys;
  inherited: boolean;
  /** The object the leaf is read from; none: the event itself. */
  parent?: ParentPath;
  leaf: string;
}

/** A path that is the parent of some field's path, numbered for the per-event cache of `EvalContext`. */
interface ParentPath {
  slot: number;
  parent?: ParentPath;
  key: string;
}

const parentPaths = new Map<string, ParentPath>();

function parentPath(segs: readonly string[]): ParentPath | undefined {
  if (segs.length === 0) return undefined;
  const key = segs.join('.');
  let parent = parentPaths.get(key);
  if (parent === undefined) {
    const up = parentPath(segs.slice(0, -1));
    parent = { slot: parentPaths.size, parent: up, key: segs[segs.length - 1] };
    parentPaths.set(key, parent);
  }
  return parent;
}

/** How many objects the longest path read so far passes through above its leaf's holder, the root included. */
let holderDepth = 0;

function pathRead(path: string): PathRead {
  const segs = path.split('.');
  holderDepth = Math.max(holderDepth, segs.length - 1);
  return { keys: pathKeys(path), inherited: segs.some((seg) => seg in Object.prototype), parent: parentPath(segs.slice(0, -1)), leaf: segs[segs.length - 1] };
}

/** What a parent path holds where an array on the way fans it out: its paths are walked. */
const FANS_OUT = Symbol('fans out');

/** A field as the compiled rule sees it: its candidate event paths after field mapping. */
export interface FieldAccess {
  /** Cache slot, shared by every access with the same candidate paths (so rules share look-ups). */
  slot: number;
  paths: readonly string[];
  reads: PathRead[];
  /** Where a path names an object, its values are every scalar below it (keyword fields such as `winlog`). */
  deep: boolean;
}

/**
 * A needle (lower case) that must occur in the lower-cased string form of a value of `access`;
 * without `access`, of any scalar value of the event (a keyword search over every value).
 */
export interface FieldHint {
  access?: FieldAccess;
  needle: string;
}

/** Hints one of which must occur (see `eventMayMatch`). */
export type HintClause = readonly FieldHint[];

/**
 * Candidate path lists → their access, numbered by cache slot. Grows with the number of distinct
 * fields rules use; every rule reading a field shares its access, so its readers are made once.
 */
const accesses = new Map<string, FieldAccess>();
const KEYWORD_SLOT = 0;

export function fieldAccess(paths: string[], deep = false): FieldAccess {
  const key = (deep ? '\u0001' : '') + paths.join('\u0000');
  let access = accesses.get(key);
  if (access === undefined) {
    access = { slot: accesses.size + 1, paths: [...paths], reads: paths.map(pathRead), deep };
    accesses.set(key, access);
  }
  return access;
}

export class EvalContext {
  /**
   * By field slot, valid where `fieldStamp` has the current `epoch` (no clearing per event).
   * Sized up front: rule packs use hundreds of slots, and an array grown by writing far past its
   * end turns into a slow dictionary.
   */
  private cache: (FieldValues | undefined)[] = [];
  private fieldStamp = new Uint32Array(0);
  /** By parent path slot, the same way. */
  private parents: unknown[] = [];
  private parentStamp = new Uint32Array(0);
  private epoch = 0;
  private rest?: unknown[];
  private lowOriginal?: string;
  /** Some key of the event has a dot in it (see `walk`). */
  private dotted?: boolean;
  constructor(private current: unknown) {
    this.reset(current);
  }

  get event(): unknown {
    return this.current;
  }

  /**
   * Starts over on another event, keeping the memory of the caches: the engine reuses its
   * contexts from one chunk of events to the next instead of allocating caches for every event.
   */
  reset(event: unknown): void {
    this.current = event;
    if (this.fieldStamp.length < accesses.size + 1 || this.parentStamp.length < parentPaths.size || this.epoch === 0xffffffff) {
      this.cache = new Array(accesses.size + 1);
      this.fieldStamp = new Uint32Array(accesses.size + 1);
      this.parents = new Array(parentPaths.size);
      this.parentStamp = new Uint32Array(parentPaths.size);
      this.epoch = 0;
    }
    this.epoch++;
    this.rest = this.lowOriginal = this.dotted = undefined;
  }

  field(access: FieldAccess): FieldValues {
    if (this.fieldStamp[access.slot] === this.epoch) return this.cache[access.slot]!;
    let values: unknown[] = [];
    let present = false;
    const flattened = (this.dotted ??= hasDottedKey(this.current, holderDepth));
    for (const r of access.reads) if (this.read(r, values, flattened)) present = true;
    // a subtree spread over dotted keys cannot be told apart from the rest: every value is searched
    if (access.deep) values = flattened ? this.keywords().values : scalarsBelow(values);
    // most fields an engine looks up are missing from any one event: they share one answer
    const fv = present || values.length > 0 ? new FieldValues(present, values) : ABSENT;
    this.cache[access.slot] = fv;
    this.fieldStamp[access.slot] = this.epoch;
    return fv;
  }

  /**
   * Calls `visit` with each value `field(access)` has, without collecting them where that would
   * be work of its own: a deep field's values (every scalar below a Windows record's `winlog`)
   * are scanned for hints on every event, and building their array cost about as much as the
   * scan itself, while a rule reads them only when its hints are found.
   */
  eachValue(access: FieldAccess, visit: (v: unknown) => void): void {
    if (!access.deep || this.fieldStamp[access.slot] === this.epoch || (this.dotted ??= hasDottedKey(this.current, holderDepth))) {
      for (const v of this.field(access).values) visit(v);
      return;
    }
    const roots: unknown[] = [];
    for (const r of access.reads) this.read(r, roots, false);
    // as scalarsBelow: values with no object among them are the field's values as they are
    const objects = roots.some((v) => v !== null && typeof v === 'object');
    for (const v of roots) if (objects) visitScalars(v, visit, 1);
    else visit(v);
  }

  /** Pushes the leaves of a path to `out`; true when the path exists. */
  private read(r: PathRead, out: unknown[], flattened: boolean): boolean {
    if (flattened || r.inherited) return walk(this.current, r.keys, 0, out, true);
    const holder = r.parent ? this.parentValue(r.parent) : this.current;
    if (holder === FANS_OUT || Array.isArray(holder)) return walk(this.current, r.keys, 0, out, false);
    if (holder === null || typeof holder !== 'object') return false;
    const v = (holder as Record<string, unknown>)[r.leaf];
    if (v === undefined) return false;
    pushLeaves(v, out);
    return true;
  }

  /** The object at a parent path (read with plain loads), undefined, or FANS_OUT. */
  private parentValue(p: ParentPath): unknown {
    if (this.parentStamp[p.slot] === this.epoch) return this.parents[p.slot];
    const up = p.parent ? this.parentValue(p.parent) : this.current;
    let v: unknown;
    if (up === FANS_OUT || Array.isArray(up)) v = FANS_OUT;
    else if (up === null || typeof up !== 'object') v = undefined;
    else {
      v = (up as Record<string, unknown>)[p.key];
      if (Array.isArray(v)) v = FANS_OUT;
    }
    this.parents[p.slot] = v;
    this.parentStamp[p.slot] = this.epoch;
    return v;
  }

  /**
   * The values keyword (full-text) searches look at: every scalar leaf of the event, or only the
   * given fields when the rule was compiled with `keywordFields`.
   */
  keywords(fields?: FieldAccess): FieldValues {
    if (fields) return this.field(fields);
    if (this.fieldStamp[KEYWORD_SLOT] === this.epoch) return this.cache[KEYWORD_SLOT]!;
    const walk = { values: [] as unknown[], dotted: false };
    collectScalars(this.current, walk, 0);
    this.dotted ??= walk.dotted;
    const fv = new FieldValues(true, walk.values);
    this.cache[KEYWORD_SLOT] = fv;
    this.fieldStamp[KEYWORD_SLOT] = this.epoch;
    return fv;
  }

  /**
   * The raw record (the string at `event.original`) lower-cased; '' when there is none. The raw
   * record is most of an event's text, scanned on its own (see `restValues`).
   */
  lowerOriginal(): string {
    const original = this.original();
    return original === undefined ? '' : (this.lowOriginal ??= original.toLowerCase());
  }

  /**
   * Every scalar value of the event but the raw record (see `lowerOriginal`). The walk that finds
   * them also tells whether a key has a dot, so field reads after it need no walk of their own.
   */
  restValues(): readonly unknown[] {
    if (this.rest === undefined) {
      const walk = { values: [] as unknown[], dotted: false };
      collectScalars(this.current, walk, 0, this.original());
      this.rest = walk.values;
      this.dotted ??= walk.dotted;
    }
    return this.rest;
  }

  /** The raw record (the string at `event.original`), as it is. */
  original(): string | undefined {
    const event = this.current;
    const inner = event !== null && typeof event === 'object' && !Array.isArray(event) ? (event as Record<string, unknown>).event : undefined;
    const original = inner !== null && typeof inner === 'object' && !Array.isArray(inner) && hasOwn.call(inner, 'original') ? (inner as Record<string, unknown>).original : undefined;
    return typeof original === 'string' ? original : undefined;
  }
}

/**
 * Some object of the first `levels` levels from `v` has a key with a dot in it (`winlog.event_data`
 * as one key); arrays fan out and take no level, as in `walk`. Only keys of the objects a path
 * passes through before its leaf's holder can be a flattened form of it, so objects deeper than
 * the deepest holder of any path read (see `holderDepth`) are not looked at: the event data of a
 * Windows record, most of its keys, is never walked.
 */
function hasDottedKey(v: unknown, levels: number, depth = 0): boolean {
  if (levels <= 0 || v === null || typeof v !== 'object' || depth > 32) return false;
  if (Array.isArray(v)) {
    for (const el of v) if (hasDottedKey(el, levels, depth + 1)) return true;
    return false;
  }
  // (an inherited key, were one enumerable, could only send the reads the slow way, never wrong)
  for (const k in v as Record<string, unknown>) if (k.includes('.') || hasDottedKey((v as Record<string, unknown>)[k], levels - 1, depth + 1)) return true;
  return false;
}

/** The values with every object among them replaced by the scalars below it. */
function scalarsBelow(values: unknown[]): unknown[] {
  if (!values.some((v) => v !== null && typeof v === 'object')) return values;
  const walk = { values: [] as unknown[], dotted: false };
  for (const v of values) collectScalars(v, walk, 1);
  return walk.values;
}

/** Pushes every scalar below `v` to `walk.values` and notes a key with a dot; `skip` (the string at `event.original`), when given, is left out. */
function collectScalars(v: unknown, walk: { values: unknown[]; dotted: boolean }, depth: number, skip?: string, inEvent = false): void {
  if (depth > 32 || v === null || v === undefined) return;
  if (typeof v !== 'object') {
    walk.values.push(v);
    return;
  }
  if (Array.isArray(v)) {
    for (const el of v) collectScalars(el, walk, depth + 1);
    return;
  }
  // own keys only: an inherited enumerable key (a polluted prototype) is not the event's
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k.includes('.')) walk.dotted = true;
    const child = (v as Record<string, unknown>)[k];
    if (inEvent && k === 'original' && child === skip) continue;
    collectScalars(child, walk, depth + 1, skip, skip !== undefined && depth === 0 && k === 'event');
  }
}

/** Calls `visit` with every scalar below `v`, as `collectScalars` would push them. */
function visitScalars(v: unknown, visit: (v: unknown) => void, depth: number): void {
  if (depth > 32 || v === null || v === undefined) return;
  if (typeof v !== 'object') return visit(v);
  if (Array.isArray(v)) {
    for (const el of v) visitScalars(el, visit, depth + 1);
    return;
  }
  for (const k in v as Record<string, unknown>) if (hasOwn.call(v, k)) visitScalars((v as Record<string, unknown>)[k], visit, depth + 1);
}

/**
 * The prefilter test that `hintClauses` are defined against: true when every clause has a hint
 * whose needle occurs in the lower-cased string form of a value of its field.
 */
export function eventMayMatch(clauses: readonly HintClause[] | undefined, ctx: EvalContext): boolean {
  if (!clauses) return true;
  return clauses.every((clause) => clause.some((h) => (h.access ? ctx.field(h.access) : ctx.keywords()).lowers().some((s) => s !== undefined && s.includes(h.needle))));
}
