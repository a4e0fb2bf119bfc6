import { PII_TYPES, scanText, type PiiType } from '../../../src/classification/detectors/index.js';
import { CASES } from './cases.js';

interface Score {
  tp: number;
  fp: number;
  fn: number;
}

describe('personal-data detectors on the hand-labelled set', () => {
  it('holds at least 300 cases with positives and hard negatives for every detector', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(300);
    for (const type of PII_TYPES) expect({ type, positives: CASES.filter((c) => c.expect.some((e) => e.type === type)).length >= 15 }).toEqual({ type, positives: true });
    expect(CASES.filter((c) => c.expect.length === 0).length).toBeGreaterThanOrEqual(100);
  });

  it('reaches ≥ 99% precision and ≥ 95% recall per detector', () => {
    const scores = new Map<PiiType, Score>(PII_TYPES.map((t) => [t, { tp: 0, fp: 0, fn: 0 }]));
    const errors: string[] = [];
    for (const c of CASES) {
      const open = c.expect.map((e) => `${e.type}\u0000${e.value}`);
      for (const f of scanText(c.text)) {
        const i = open.indexOf(`${f.type}\u0000${f.value}`);
        if (i >= 0) {
          open.splice(i, 1);
          scores.get(f.type)!.tp++;
        } else {
          scores.get(f.type)!.fp++;
          errors.push(`FP ${f.type} ${JSON.stringify(f.value)} in ${JSON.stringify(c.text)}`);
        }
      }
      for (const missed of open) {
        const [type, value] = missed.split('\u0000') as [PiiType, string];
        scores.get(type)!.fn++;
        errors.push(`FN ${type} ${JSON.stringify(value)} in ${JSON.stringify(c.text)}`);
      }
    }
    const precision = (s: Score) => (s.tp + s.fp === 0 ? 1 : s.tp / (s.tp + s.fp));
    const recall = (s: Score) => (s.tp + s.fn === 0 ? 1 : s.tp / (s.tp + s.fn));
    const rows = PII_TYPES.map((t) => {
      const s = scores.get(t)!;
      return `${t.padEnd(24)}${String(s.tp).padStart(4)}${String(s.fp).padStart(4)}${String(s.fn).padStart(4)}${(precision(s) * 100).toFixed(1).padStart(9)}%${(recall(s) * 100).toFixed(1).padStart(8)}%`;
    });
    process.stdout.write(`PII detectors over ${CASES.length} hand-labelled cases\n${'detector'.padEnd(24)}  TP  FP  FN precision  recall\n${rows.join('\n')}\n${errors.join('\n')}\n`);
    for (const t of PII_TYPES) {
      const s = scores.get(t)!;
      expect({ t, precision: precision(s) >= 0.99, recall: recall(s) >= 0.95 }).toEqual({ t, precision: true, recall: true });
    }
  });
});
