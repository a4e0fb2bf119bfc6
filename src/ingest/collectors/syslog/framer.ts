/**
 * RFC 6587 framing of one TCP or TLS byte stream, detected per frame: a frame that starts with a
 * digit run (no leading zero) followed by a space is octet-counted; anything else runs to the next
 * LF or NUL (a CR before the LF is dropped). Memory per stream is bounded by maxBytes + 1.
 */

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const SPACE = 0x20;
const DIGIT_0 = 0x30;
const DIGIT_1 = 0x31;
const DIGIT_9 = 0x39;

/**
 * Longer digit runs are read as text: a count of 10^10 octets is no real frame, and skipping that
 * much of the stream on the word of one line would silently eat every message behind it.
 */
const MAX_COUNT_DIGITS = 10;

const START = 0;
const COUNT = 1;
const OCTETS = 2;
const SKIP_OCTETS = 3;
const LINE = 4;
const SKIP_LINE = 5;
type Mode = typeof START | typeof COUNT | typeof OCTETS | typeof SKIP_OCTETS | typeof LINE | typeof SKIP_LINE;

export interface FrameHandler {
  frame(bytes: Buffer, truncated: boolean): void;
  /** A frame the stream ended in the middle of. */
  framingError(): void;
}

export class StreamFramer {
  private mode: Mode = START;
  /** The digit run read so far in COUNT mode. */
  private count = 0;
  private digits = 0;
  /** Octets still to keep (OCTETS) or to discard (SKIP_OCTETS). */
  private remaining = 0;
  /** Octets to discard once the kept part of an oversize octet-counted frame is complete. */
  private skipAfter = 0;
  private truncatedFrame = false;
  /**
   * A frame that spans chunks is copied here rather than kept as slices: slices would pin whole
   * socket read buffers, so a line trickling in byte by byte could hold far more than maxBytes.
   */
  private carry: Buffer | undefined;
  private carried = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly handler: FrameHandler,
  ) {}

  /** Bytes held for a frame not yet complete. */
  get bufferedBytes(): number {
    return this.carry?.length ?? 0;
  }

  push(chunk: Buffer): void {
    const end = chunk.length;
    let i = 0;
    // NUL is rare; its position is looked up once per chunk, not once per line
    let nextNul = chunk.indexOf(NUL);
    const terminatorFrom = (from: number): number => {
      if (nextNul !== -1 && nextNul < from) nextNul = chunk.indexOf(NUL, from);
      const lf = chunk.indexOf(LF, from);
      if (nextNul === -1) return lf;
      return lf === -1 || nextNul < lf ? nextNul : lf;
    };

    while (i < end) {
      switch (this.mode) {
        case START: {
          const b = chunk[i]!;
          if (b === LF || b === CR || b === NUL) {
            i++; // blank lines and stray trailers between frames carry no message
          } else if (b >= DIGIT_1 && b <= DIGIT_9) {
            this.mode = COUNT;
            this.count = b - DIGIT_0;
            this.digits = 1;
            i++;
          } else {
            this.mode = LINE;
          }
          break;
        }
        case COUNT: {
          const b = chunk[i]!;
          if (b >= DIGIT_0 && b <= DIGIT_9 && this.digits < MAX_COUNT_DIGITS) {
            this.count = this.count * 10 + (b - DIGIT_0);
            this.digits++;
            i++;
          } else if (b === SPACE) {
            i++;
            this.truncatedFrame = this.count > this.maxBytes;
            this.remaining = Math.min(this.count, this.maxBytes);
            this.skipAfter = this.count - this.remaining;
            this.mode = OCTETS;
          } else {
            // not a count after all: the digits begin a newline-framed message
            this.append(Buffer.from(String(this.count), 'latin1'), 0, this.digits);
            this.mode = LINE;
          }
          break;
        }
        case OCTETS: {
          const take = Math.min(this.remaining, end - i);
          this.remaining -= take;
          if (this.remaining > 0) {
            this.append(chunk, i, i + take);
          } else {
            this.emit(chunk, i, i + take, this.truncatedFrame);
            this.remaining = this.skipAfter;
            this.mode = this.skipAfter > 0 ? SKIP_OCTETS : START;
          }
          i += take;
          break;
        }
        case SKIP_OCTETS: {
          const take = Math.min(this.remaining, end - i);
          this.remaining -= take;
          i += take;
          if (this.remaining === 0) this.mode = START;
          break;
        }
        case LINE: {
          const stop = terminatorFrom(i);
          // room for maxBytes plus a CR that may turn out to precede the LF
          const room = this.maxBytes + 1 - this.carried;
          if (stop !== -1 && stop - i <= room) {
            const last = stop > i ? chunk[stop - 1] : this.carry?.[this.carried - 1];
            this.emitLine(chunk, i, stop, chunk[stop] === LF && last === CR ? 1 : 0);
            i = stop + 1;
            this.mode = START;
            break;
          }
          const take = Math.min(end - i, room);
          this.append(chunk, i, i + take);
          i += take;
          const full = this.carried > this.maxBytes;
          const mayBeCrLf = i === end && this.carry?.[this.maxBytes] === CR;
          if (full && !mayBeCrLf) {
            this.carried = this.maxBytes;
            this.emit(chunk, i, i, true);
            this.mode = SKIP_LINE;
          }
          break;
        }
        case SKIP_LINE: {
          const stop = terminatorFrom(i);
          if (stop === -1) {
            i = end;
          } else {
            i = stop + 1;
            this.mode = START;
          }
          break;
        }
      }
    }
  }

  /** The stream ended: an unterminated last line is still a message; a cut octet-counted frame is an error. */
  end(): void {
    const empty = Buffer.alloc(0);
    switch (this.mode) {
      case COUNT:
        this.append(Buffer.from(String(this.count), 'latin1'), 0, this.digits);
        this.emitLine(empty, 0, 0, 0);
        break;
      case LINE:
        this.emitLine(empty, 0, 0, this.carry?.[this.carried - 1] === CR ? 1 : 0);
        break;
      case OCTETS:
        this.handler.framingError();
        this.emit(empty, 0, 0, true);
        break;
      case SKIP_OCTETS:
        this.handler.framingError();
        break;
    }
    this.mode = START;
  }

  /** Delivers carry + chunk[from, to) minus `cut` trailing bytes, truncating to maxBytes. */
  private emitLine(chunk: Buffer, from: number, to: number, cut: number): void {
    const length = this.carried + (to - from) - cut;
    if (length > this.maxBytes) {
      this.carried = Math.min(this.carried, this.maxBytes);
      this.emit(chunk, from, from + (this.maxBytes - this.carried), true);
    } else if (length > 0) {
      if (cut > to - from) {
        this.carried -= cut - (to - from);
        this.emit(chunk, from, from, false);
      } else {
        this.emit(chunk, from, to - cut, false);
      }
    } else {
      this.carried = 0;
      this.carry = undefined;
    }
  }

  private emit(chunk: Buffer, from: number, to: number, truncated: boolean): void {
    let bytes: Buffer;
    if (this.carried === 0) {
      // copied so a message kept by the sink does not pin the socket's whole read buffer
      bytes = Buffer.from(chunk.subarray(from, to));
    } else {
      this.append(chunk, from, to);
      bytes = this.carry!.subarray(0, this.carried);
    }
    this.carry = undefined;
    this.carried = 0;
    if (bytes.length > 0) this.handler.frame(bytes, truncated);
  }

  private append(chunk: Buffer, from: number, to: number): void {
    const needed = this.carried + (to - from);
    if (needed === this.carried) return;
    if (!this.carry || this.carry.length < needed) {
      const grown = Buffer.allocUnsafe(Math.max(needed, Math.min(this.maxBytes + 1, 2 * (this.carry?.length ?? 128))));
      this.carry?.copy(grown, 0, 0, this.carried);
      this.carry = grown;
    }
    chunk.copy(this.carry, this.carried, from, to);
    this.carried = needed;
  }
}
