/**
 * HyperLogLog distinct counter over values that are already uniformly random (the keyed hashes
 * from masking), so no hashing happens here: the first 64 bits of each value are used directly.
 * Estimation uses Ertl's improved raw estimator ("New cardinality estimation algorithms for
 * HyperLogLog sketches", 2017), which needs no bias tables and no switch to linear counting.
 * Relative standard error ≈ 1.04 / √(2^precision): 0.81 % at the default precision 14 (16 KiB).
 *
 * Small sets are kept exactly, as their 64-bit values, until they outgrow 1/32 of the registers
 * (512 values at precision 14): most assets of a county see few people, and registers would count
 * two people who share one as one (about a 1 % chance at 20 people), where an exact count costs
 * less memory than the registers it postpones.
 */
export const MIN_PRECISION = 4;
export const MAX_PRECISION = 18;
const DENSE_FORMAT = 1;
const EXACT_FORMAT = 2;
const HEADER_BYTES = 2;
const HASH_BITS = 64;
const VALUE_BYTES = 8;

export class HyperLogLog {
  readonly precision: number;
  /** The first 8 bytes of each value, as 8 latin1 characters, while the set is small. */
  private exact: Set<string> | undefined = new Set();
  private registers: Uint8Array | undefined;

  constructor(precision = 14) {
    if (!Number.isInteger(precision) || precision < MIN_PRECISION || precision > MAX_PRECISION) {
      throw new RangeError(`HyperLogLog precision must be an integer from ${MIN_PRECISION} to ${MAX_PRECISION}`);
    }
    this.precision = precision;
  }

  private get exactLimit(): number {
    return (1 << this.precision) / 32;
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
    if (!(bytes instanceof Uint8Array) || bytes.length < VALUE_BYTES) return false;
    if (this.exact) {
      this.exact.add(String.fromCharCode(bytes[0], bytes[1], bytes[2], bytes[3], bytes[4], bytes[5], bytes[6], bytes[7]));
      if (this.exact.size > this.exactLimit) this.toRegisters();
    } else this.addToRegisters(this.registers!, bytes);
    return true;
  }

  private addToRegisters(registers: Uint8Array, b: Uint8Array): void {
    const high = ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
    const low = ((b[4] << 24) | (b[5] << 16) | (b[6] << 8) | b[7]) >>> 0;
    const index = high >>> (32 - this.precision);
    const rest = (high << this.precision) >>> 0;
    const rank = rest !== 0 ? Math.clz32(rest) + 1 : 32 - this.precision + Math.clz32(low) + 1;
    if (rank > registers[index]) registers[index] = rank;
  }

  /** Gives up the exact set for registers, once it has grown past the limit (or to merge registers). */
  private toRegisters(): Uint8Array {
    if (this.registers) return this.registers;
    const registers = new Uint8Array(1 << this.precision);
    for (const value of this.exact!) this.addToRegisters(registers, Buffer.from(value, 'latin1'));
    this.exact = undefined;
    this.registers = registers;
    return registers;
  }

  count(): number {
    if (this.exact) return this.exact.size;
    const registers = this.registers!;
    const m = registers.length;
    const q = HASH_BITS - this.precision;
    const histogram = new Array<number>(q + 2).fill(0);
    for (const value of registers) histogram[value]++;
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
    if (other.exact) {
      for (const value of other.exact) this.add(Buffer.from(value, 'latin1'));
      return this;
    }
    const registers = this.toRegisters();
    const theirs = other.registers!;
    for (let i = 0; i < registers.length; i++) {
      if (theirs[i] > registers[i]) registers[i] = theirs[i];
    }
    return this;
  }

  /**
   * Version byte, precision byte, then either one byte per register (version 1) or the exact
   * set's 8-byte values in ascending order (version 2).
   */
  toBuffer(): Buffer {
    if (this.exact) {
      const values = [...this.exact].sort();
      const buffer = Buffer.alloc(HEADER_BYTES + values.length * VALUE_BYTES);
      buffer[0] = EXACT_FORMAT;
      buffer[1] = this.precision;
      values.forEach((value, i) => buffer.write(value, HEADER_BYTES + i * VALUE_BYTES, 'latin1'));
      return buffer;
    }
    const buffer = Buffer.alloc(HEADER_BYTES + this.registers!.length);
    buffer[0] = DENSE_FORMAT;
    buffer[1] = this.precision;
    buffer.set(this.registers!, HEADER_BYTES);
    return buffer;
  }

  toBase64(): string {
    return this.toBuffer().toString('base64');
  }

  static fromBuffer(buffer: Uint8Array): HyperLogLog {
    if (!(buffer instanceof Uint8Array) || buffer.length < HEADER_BYTES || (buffer[0] !== DENSE_FORMAT && buffer[0] !== EXACT_FORMAT)) {
      throw new RangeError('not a serialized HyperLogLog (unknown format version)');
    }
    const sketch = new HyperLogLog(buffer[1]);
    const body = buffer.subarray(HEADER_BYTES);
    if (buffer[0] === EXACT_FORMAT) {
      if (body.length % VALUE_BYTES !== 0) throw new RangeError(`serialized HyperLogLog of precision ${buffer[1]} has the wrong length`);
      for (let offset = 0; offset < body.length; offset += VALUE_BYTES) sketch.add(body.subarray(offset, offset + VALUE_BYTES));
      return sketch;
    }
    if (body.length !== 1 << sketch.precision) {
      throw new RangeError(`serialized HyperLogLog of precision ${buffer[1]} has the wrong length`);
    }
    if (body.some((value) => value > sketch.maxRank)) throw new RangeError('serialized HyperLogLog has an impossible register value');
    sketch.toRegisters().set(body);
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
