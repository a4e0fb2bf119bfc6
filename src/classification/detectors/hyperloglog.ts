/**
 * HyperLogLog distinct counter over values that are already uniformly random (the keyed hashes
 * from masking), so no hashing happens here: the first 64 bits of each value are used directly.
 * Estimation uses Ertl's improved raw estimator ("New cardinality estimation algorithms for
 * HyperLogLog sketches", 2017), which needs no bias tables and no switch to linear counting.
 * Relative standard error ≈ 1.04 / √(2^precision): 0.81 % at the default precision 14 (16 KiB).
 */
export const MIN_PRECISION = 4;
export const MAX_PRECISION = 18;
const FORMAT_VERSION = 1;
const HEADER_BYTES = 2;
const HASH_BITS = 64;

export class HyperLogLog {
  readonly precision: number;
  private readonly registers: Uint8Array;

  constructor(precision = 14) {
    if (!Number.isInteger(precision) || precision < MIN_PRECISION || precision > MAX_PRECISION) {
      throw new RangeError(`HyperLogLog precision must be an integer from ${MIN_PRECISION} to ${MAX_PRECISION}`);
    }
    this.precision = precision;
    this.registers = new Uint8Array(1 << precision);
  }

  /** Highest register value: all remaining bits zero. */
  private get maxRank(): number {
    return HASH_BITS - this.precision + 1;
  }

  /**
   * Adds a uniformly random value of at least 8 bytes (a base64url keyed hash or raw bytes).
   * Returns false for shorter input, which cannot be counted fairly.
   */
  add(hash: string | Uint8Array): boolean {
    const bytes = typeof hash === 'string' ? Buffer.from(hash, 'base64url') : hash;
    if (!(bytes instanceof Uint8Array) || bytes.length < 8) return false;
    const high = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
    const low = ((bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7]) >>> 0;
    const index = high >>> (32 - this.precision);
    const rest = (high << this.precision) >>> 0;
    const rank = rest !== 0 ? Math.clz32(rest) + 1 : 32 - this.precision + Math.clz32(low) + 1;
    if (rank > this.registers[index]) this.registers[index] = rank;
    return true;
  }

  count(): number {
    const m = this.registers.length;
    const q = HASH_BITS - this.precision;
    const histogram = new Array<number>(q + 2).fill(0);
    for (const value of this.registers) histogram[value]++;
    let z = m * tau(1 - histogram[q + 1] / m);
    for (let k = q; k >= 1; k--) z = 0.5 * (z + histogram[k]);
    z += m * sigma(histogram[0] / m);
    return Math.round((m * m) / (2 * Math.LN2) / z);
  }

  /** Folds `other` into this sketch: afterwards it counts the union of both. */
  merge(other: HyperLogLog): this {
    if (other.precision !== this.precision) {
      throw new RangeError(`cannot merge HyperLogLog of precision ${other.precision} into precision ${this.precision}`);
    }
    for (let i = 0; i < this.registers.length; i++) {
      if (other.registers[i] > this.registers[i]) this.registers[i] = other.registers[i];
    }
    return this;
  }

  /** Version byte, precision byte, then one byte per register. */
  toBuffer(): Buffer {
    const buffer = Buffer.alloc(HEADER_BYTES + this.registers.length);
    buffer[0] = FORMAT_VERSION;
    buffer[1] = this.precision;
    buffer.set(this.registers, HEADER_BYTES);
    return buffer;
  }

  toBase64(): string {
    return this.toBuffer().toString('base64');
  }

  static fromBuffer(buffer: Uint8Array): HyperLogLog {
    if (!(buffer instanceof Uint8Array) || buffer.length < HEADER_BYTES || buffer[0] !== FORMAT_VERSION) {
      throw new RangeError('not a serialized HyperLogLog (unknown format version)');
    }
    const sketch = new HyperLogLog(buffer[1]);
    if (buffer.length !== HEADER_BYTES + sketch.registers.length) {
      throw new RangeError(`serialized HyperLogLog of precision ${buffer[1]} has the wrong length`);
    }
    const registers = buffer.subarray(HEADER_BYTES);
    if (registers.some((value) => value > sketch.maxRank)) throw new RangeError('serialized HyperLogLog has an impossible register value');
    sketch.registers.set(registers);
    return sketch;
  }

  static fromBase64(text: string): HyperLogLog {
    return HyperLogLog.fromBuffer(Buffer.from(String(text), 'base64'));
  }
}

/** σ(x) = x + Σ_{k≥1} x^(2^k) · 2^(k−1), the correction for empty registers (Ertl, eq. 23). */
function sigma(x: number): number {
  if (x === 1) return Infinity;
  let y = 1;
  let z = x;
  for (let previous = -1; z !== previous; ) {
    x *= x;
    previous = z;
    z += x * y;
    y += y;
  }
  return z;
}

/** τ(x), the correction for saturated registers (Ertl, eq. 21). */
function tau(x: number): number {
  if (x === 0 || x === 1) return 0;
  let y = 1;
  let z = 1 - x;
  for (let previous = -1; z !== previous; ) {
    x = Math.sqrt(x);
    previous = z;
    y *= 0.5;
    z -= (1 - x) ** 2 * y;
  }
  return z / 3;
}
