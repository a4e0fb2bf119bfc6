/**
 * Reads an evaluator's `params` map from a control file, collecting one message per bad or unknown
 * key instead of stopping at the first, so that a catalogue author sees every mistake at once.
 * Each evaluator declares its parameters by the calls it makes on a reader.
 */
export class ParamReader {
  readonly errors: string[] = [];
  private readonly used = new Set<string>();

  constructor(private readonly raw: Readonly<Record<string, unknown>>) {}

  int(key: string, opts: { min: number; max: number; default?: number }): number {
    const v = this.take(key);
    if (v === undefined) return this.missing(key, opts.default, 0);
    if (typeof v !== 'number' || !Number.isInteger(v) || v < opts.min || v > opts.max) {
      this.errors.push(`${key}: must be an integer from ${opts.min} to ${opts.max}`);
      return opts.min;
    }
    return v;
  }

  optionalInt(key: string, opts: { min: number; max: number }): number | undefined {
    if (this.raw[key] !== undefined) return this.int(key, opts);
    this.used.add(key);
    return undefined;
  }

  bool(key: string, def: boolean): boolean {
    const v = this.take(key);
    if (v === undefined) return def;
    if (typeof v !== 'boolean') {
      this.errors.push(`${key}: must be true or false`);
      return def;
    }
    return v;
  }

  oneOf<T extends string>(key: string, values: readonly T[], def?: T): T {
    const v = this.take(key);
    if (v === undefined) return this.missing(key, def, values[0]);
    if (typeof v !== 'string' || !(values as readonly string[]).includes(v)) {
      this.errors.push(`${key}: must be one of ${values.join(', ')}`);
      return values[0];
    }
    return v as T;
  }

  /** A non-empty list of distinct items, each from `values` when given, else any non-empty text. */
  list<T extends string>(key: string, def: readonly T[], values?: readonly T[]): T[] {
    const v = this.take(key);
    if (v === undefined) return [...def];
    const ok =
      Array.isArray(v) &&
      v.length > 0 &&
      new Set(v).size === v.length &&
      v.every((x) => typeof x === 'string' && x.trim() !== '' && (!values || (values as readonly string[]).includes(x)));
    if (!ok) {
      this.errors.push(`${key}: must be a non-empty list of distinct ${values ? `values from ${values.join(', ')}` : 'texts'}`);
      return [...def];
    }
    return v as T[];
  }

  /** A map from the given keys to integers; `complete` demands every key. */
  intTable<K extends string>(key: string, keys: readonly K[], opts: { min: number; max: number; complete: boolean; optional?: boolean }): Partial<Record<K, number>> | undefined {
    const v = this.take(key);
    if (v === undefined) {
      if (!opts.optional) this.errors.push(`${key}: required`);
      return undefined;
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) {
      this.errors.push(`${key}: must be a map of ${keys.join(', ')} → integer`);
      return undefined;
    }
    const out: Partial<Record<K, number>> = {};
    for (const [k, n] of Object.entries(v)) {
      if (!(keys as readonly string[]).includes(k)) this.errors.push(`${key}.${k}: unknown key (expected ${keys.join(', ')})`);
      else if (typeof n !== 'number' || !Number.isInteger(n) || n < opts.min || n > opts.max) this.errors.push(`${key}.${k}: must be an integer from ${opts.min} to ${opts.max}`);
      else out[k as K] = n;
    }
    if (opts.complete) for (const k of keys) if (!(k in v)) this.errors.push(`${key}.${k}: required`);
    return out;
  }

  /** A rule that spans several keys. */
  fail(message: string): void {
    this.errors.push(message);
  }

  /** Keys the evaluator never asked for: most likely typos, so they are refused. */
  unknownKeys(): string[] {
    return Object.keys(this.raw).filter((k) => !this.used.has(k));
  }

  private take(key: string): unknown {
    this.used.add(key);
    return this.raw[key];
  }

  private missing<T>(key: string, def: T | undefined, placeholder: T): T {
    if (def !== undefined) return def;
    this.errors.push(`${key}: required`);
    return placeholder;
  }
}
