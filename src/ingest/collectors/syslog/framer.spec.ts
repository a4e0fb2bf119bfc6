import { StreamFramer } from './framer.js';

interface Collected {
  frames: Array<{ text: string; truncated: boolean }>;
  errors: number;
  framer: StreamFramer;
}

function collector(maxBytes: number): Collected {
  const result: Collected = { frames: [], errors: 0, framer: undefined as unknown as StreamFramer };
  result.framer = new StreamFramer(maxBytes, {
    frame: (bytes, truncated) => result.frames.push({ text: bytes.toString('latin1'), truncated }),
    framingError: () => result.errors++,
  });
  return result;
}

function frame(input: string | Buffer, maxBytes = 64, chunkSize?: number): Collected {
  const c = collector(maxBytes);
  const bytes = typeof input === 'string' ? Buffer.from(input, 'latin1') : input;
  const step = chunkSize ?? Math.max(bytes.length, 1);
  for (let i = 0; i < bytes.length; i += step) c.framer.push(bytes.subarray(i, i + step));
  c.framer.end();
  return c;
}

const texts = (c: Collected): string[] => c.frames.map((f) => f.text);

// octet-counted, LF, CRLF, NUL trailer, and a line that starts with digits but is not a count
const MIXED = '11 <13>hello 1\n<13>two\r\n5 three<14>four\x0012:30 five\n<15>six';
const MIXED_FRAMES = ['<13>hello 1', '<13>two', 'three', '<14>four', '12:30 five', '<15>six'];

describe('StreamFramer', () => {
  it('frames a mix of octet counting and newline framing', () => {
    const c = frame(MIXED);
    expect(texts(c)).toEqual(MIXED_FRAMES);
    expect(c.frames.every((f) => !f.truncated)).toBe(true);
    expect(c.errors).toBe(0);
  });

  it('gives the same frames however the stream is split in two', () => {
    const bytes = Buffer.from(MIXED, 'latin1');
    for (let cut = 1; cut < bytes.length; cut++) {
      const c = collector(64);
      c.framer.push(bytes.subarray(0, cut));
      c.framer.push(bytes.subarray(cut));
      c.framer.end();
      expect({ cut, frames: texts(c) }).toEqual({ cut, frames: MIXED_FRAMES });
    }
  });

  it('gives the same frames fed one byte at a time', () => {
    expect(texts(frame(MIXED, 64, 1))).toEqual(MIXED_FRAMES);
  });

  it('keeps an octet-counted frame byte-exact, newlines and NULs included', () => {
    const body = 'line1\nline2\x00\r\n';
    expect(texts(frame(`${body.length} ${body}<1>after\n`))).toEqual([body, '<1>after']);
  });

  it('skips blank lines and stray trailers between frames', () => {
    expect(texts(frame('\n\r\n\x00<1>a\n\n\n3 abc\n\r\n<2>b\n'))).toEqual(['<1>a', 'abc', '<2>b']);
  });

  it('reads a leading-zero count, a digit run without a space, and a lone number as text', () => {
    expect(texts(frame('05 abcde\n2024-01-01 x\n42\n7'))).toEqual(['05 abcde', '2024-01-01 x', '42', '7']);
  });

  it('reads an eleven-digit run as text rather than skipping ten gigabytes', () => {
    expect(texts(frame('12345678901 x\n<1>next\n'))).toEqual(['12345678901 x', '<1>next']);
  });

  it('cuts an oversize octet-counted frame and resumes at the next frame', () => {
    for (const chunk of [1, 3, 1000]) {
      const body = 'x'.repeat(100);
      const c = frame(`100 ${body}<1>next\n6 sixsix`, 10, chunk);
      expect(c.frames).toEqual([
        { text: 'x'.repeat(10), truncated: true },
        { text: '<1>next', truncated: false },
        { text: 'sixsix', truncated: false },
      ]);
    }
  });

  it('cuts an oversize line and discards up to its LF', () => {
    for (const chunk of [1, 7, 1000]) {
      const c = frame(`<1>${'y'.repeat(50)}\n<2>ok\n`, 10, chunk);
      expect(c.frames).toEqual([
        { text: '<1>yyyyyyy', truncated: true },
        { text: '<2>ok', truncated: false },
      ]);
    }
  });

  it('accepts a line of exactly maxBytes, with LF or CRLF, as not truncated', () => {
    const line = '<1>' + 'z'.repeat(7);
    for (const chunk of [1, 2, 11, 100]) {
      const c = frame(`${line}\r\n${line}\n${line}\r\n`, 10, chunk);
      expect(c.frames).toEqual([0, 1, 2].map(() => ({ text: line, truncated: false })));
    }
    expect(frame(`${line}!\n`, 10).frames).toEqual([{ text: line, truncated: true }]);
    expect(frame(`${line}\r!\n<2>x\n`, 10, 1).frames).toEqual([
      { text: line, truncated: true },
      { text: '<2>x', truncated: false },
    ]);
  });

  it('delivers an unterminated last line at the end of the stream, CR dropped', () => {
    expect(texts(frame('<1>a\n<2>tail'))).toEqual(['<1>a', '<2>tail']);
    expect(texts(frame('<1>a\n<2>tail\r'))).toEqual(['<1>a', '<2>tail']);
    expect(texts(frame('<1>a\n123'))).toEqual(['<1>a', '123']);
  });

  it('delivers a frame cut short by the end of the stream as truncated and counts a framing error', () => {
    const c = frame('<1>a\n20 only-ten-b');
    expect(c.frames).toEqual([
      { text: '<1>a', truncated: false },
      { text: 'only-ten-b', truncated: true },
    ]);
    expect(c.errors).toBe(1);
    expect(frame('20 ').errors).toBe(1);
    expect(frame('20 ').frames).toEqual([]);
    expect(frame('100 ' + 'q'.repeat(20), 10).errors).toBe(1);
  });

  it('holds no more than maxBytes + 1 for a line that never ends', () => {
    const c = collector(1024);
    const chunk = Buffer.alloc(4096, 0x41);
    for (let i = 0; i < 2000; i++) {
      c.framer.push(chunk.subarray(0, 1 + (i % 4096)));
      expect(c.framer.bufferedBytes).toBeLessThanOrEqual(1025);
    }
    expect(c.frames).toEqual([{ text: 'A'.repeat(1024), truncated: true }]);
  });

  it('never throws on random bytes and never emits more than maxBytes', () => {
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed;
    };
    for (let round = 0; round < 200; round++) {
      const bytes = Buffer.alloc(2000);
      // biased towards the bytes the framer cares about
      const alphabet = [0x0a, 0x0d, 0x00, 0x20, 0x30, 0x31, 0x35, 0x39, 0x3c, 0x41, 0xff];
      for (let i = 0; i < bytes.length; i++) bytes[i] = random() % 3 === 0 ? random() & 0xff : alphabet[random() % alphabet.length]!;
      const c = collector(50);
      for (let i = 0; i < bytes.length; ) {
        const n = 1 + (random() % 300);
        c.framer.push(bytes.subarray(i, i + n));
        i += n;
      }
      c.framer.end();
      // one expect per round: jest's matchers would dominate the run time if called per frame
      const lengths = c.frames.map((f) => f.text.length);
      expect({ round, shortest: Math.min(...lengths) > 0, longest: Math.max(...lengths) <= 50 }).toEqual({
        round, shortest: true, longest: true,
      });
      expect(lengths.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(bytes.length);
    }
  });
});
