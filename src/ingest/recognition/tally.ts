import type { NormalizedEvent } from '../parsing/index.js';
import { lineShape, programOf, shapeText } from './shape.js';

export interface RecognitionOptions {
  /** Distinct (source, program) pairs kept; later ones are counted together under `(other)`. */
  maxPrograms: number;
  /** Shapes kept per program (approximate top list, space-saving). */
  maxShapes: number;
  /** Width of one time bucket and how many of them make the window; Infinity for a whole file. */
  bucketMs: number;
  buckets: number;
}

export interface ProgramRecognition {
  source: string;
  program: string;
  /** Lines in the window, and of those the ones parsed to a known action. */
  lines: number;
  recognised: number;
  /** recognised / lines, 0–1 (1 when no lines). */
  share: number;
  /** Since the tally began: what Prometheus counters need. */
  totalLines: number;
  totalRecognised: number;
  /**
   * The most frequent unrecognised shapes, most frequent first. Counts are exact until the shape
   * table overflows; after that a count is what is certain (a shape let in late may have been seen more).
   */
  shapes: { shape: string; count: number }[];
}

export const OTHER = '(other)';

/** What the tally keeps of one line: its program, and its shape when it was not recognised. */
export interface LineRecognition {
  program: string;
  shape?: string;
}

export function recognitionOf(event: NormalizedEvent): LineRecognition {
  return event.event.action !== 'unknown' ? { program: programOf(event) } : { program: programOf(event), shape: lineShape(shapeText(event)) };
}

interface Entry {
  source: string;
  program: string;
  epoch: number[];
  lines: number[];
  known: number[];
  totalLines: number;
  totalKnown: number;
  /** Shape → times counted, and how many of those it may have inherited from the shape it evicted. */
  shapes: Map<string, { count: number; error: number }>;
}

/**
 * Per source and program, how many lines were parsed to a known action and what the others look
 * like. Cheap enough to run on every ingested event: a few counters, and a shape only for
 * unrecognised lines. Memory is bounded by `maxPrograms × (buckets + maxShapes)`.
 */
export class RecognitionTally {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly options: RecognitionOptions) {}

  add(event: NormalizedEvent, source: string, at: number): void {
    this.count(source, recognitionOf(event), at);
  }

  /** One line as `recognitionOf` saw it, perhaps in another thread. */
  count(source: string, line: LineRecognition, at: number): void {
    const entry = this.entry(source, line.program);
    const bucket = Number.isFinite(this.options.bucketMs) ? Math.floor(at / this.options.bucketMs) : 0;
    const slot = bucket % this.options.buckets;
    if (entry.epoch[slot] !== bucket) {
      entry.epoch[slot] = bucket;
      entry.lines[slot] = 0;
      entry.known[slot] = 0;
    }
    entry.lines[slot]++;
    entry.totalLines++;
    if (line.shape === undefined) {
      entry.known[slot]++;
      entry.totalKnown++;
    } else this.noteShape(entry.shapes, line.shape);
  }

  /** Every program with lines, busiest first; the window ends at `now`. */
  report(now: number, topShapes: number): ProgramRecognition[] {
    const current = Number.isFinite(this.options.bucketMs) ? Math.floor(now / this.options.bucketMs) : 0;
    const rows: ProgramRecognition[] = [];
    for (const e of this.entries.values()) {
      let lines = 0;
      let recognised = 0;
      e.epoch.forEach((epoch, slot) => {
        if (epoch > current - this.options.buckets && epoch <= current) {
          lines += e.lines[slot];
          recognised += e.known[slot];
        }
      });
      const shapes = [...e.shapes]
        .map(([shape, s]) => ({ shape, count: s.count - s.error }))
        .sort((a, b) => b.count - a.count || (a.shape < b.shape ? -1 : 1))
        .slice(0, topShapes);
      rows.push({ source: e.source, program: e.program, lines, recognised, share: lines ? recognised / lines : 1, totalLines: e.totalLines, totalRecognised: e.totalKnown, shapes });
    }
    return rows.sort((a, b) => b.lines - a.lines || b.totalLines - a.totalLines || a.source.localeCompare(b.source) || a.program.localeCompare(b.program));
  }

  private entry(source: string, program: string): Entry {
    const key = `${source}\u0000${program}`;
    const found = this.entries.get(key);
    if (found) return found;
    if (this.entries.size >= this.options.maxPrograms) {
      // Past the cap, every further pair shares one row.
      return this.entries.get(`${OTHER}\u0000${OTHER}`) ?? this.create(OTHER, OTHER);
    }
    return this.create(source, program);
  }

  private create(source: string, program: string): Entry {
    const n = this.options.buckets;
    const entry: Entry = { source, program, epoch: new Array<number>(n).fill(-Infinity), lines: new Array<number>(n).fill(0), known: new Array<number>(n).fill(0), totalLines: 0, totalKnown: 0, shapes: new Map() };
    this.entries.set(`${source}\u0000${program}`, entry);
    return entry;
  }

  /**
   * Space-saving top-k: a new shape in a full table replaces the rarest one and inherits its count
   * as possible error, so a shape that keeps coming climbs in, and one seen once cannot stay on top.
   */
  private noteShape(shapes: Entry['shapes'], shape: string): void {
    const seen = shapes.get(shape);
    if (seen) {
      seen.count++;
      return;
    }
    if (shapes.size < this.options.maxShapes) {
      shapes.set(shape, { count: 1, error: 0 });
      return;
    }
    let rarest = '';
    let least = Infinity;
    for (const [s, { count }] of shapes) {
      if (count < least) {
        least = count;
        rarest = s;
      }
    }
    shapes.delete(rarest);
    shapes.set(shape, { count: least + 1, error: least });
  }
}
