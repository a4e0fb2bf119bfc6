import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildLabelledFixtures, renderJsonl, type LabelledLine } from '../../../fixtures/pii/generate.js';
import { PII_TYPES, scanText } from './registry.js';
import type { PiiType } from './types.js';

const FIXTURE_PATH = fileURLToPath(new URL('../../../fixtures/pii/labelled.jsonl', import.meta.url));
const TYPES: readonly PiiType[] = ['resident_id', 'mobile', 'bank_card', 'plate', 'vin', 'email', 'location'];
const CHECKSUM_TYPES: readonly PiiType[] = ['resident_id', 'bank_card', 'vin'];

if (process.env.PII_FIXTURES_WRITE === '1') writeFileSync(FIXTURE_PATH, renderJsonl(buildLabelledFixtures()));
const labelled: LabelledLine[] = readFileSync(FIXTURE_PATH, 'utf8')
  .split('\n')
  .filter((line) => line.trim())
  .map((line) => JSON.parse(line) as LabelledLine);

interface Score {
  truePositives: number;
  falsePositives: number;
  falseNegatives: number;
}

/** Scores each line as multisets of (type, value): a finding counts once against one expectation. */
function score(lines: readonly LabelledLine[]): { scores: Map<PiiType, Score>; misses: string[] } {
  const scores = new Map(PII_TYPES.map((type) => [type, { truePositives: 0, falsePositives: 0, falseNegatives: 0 }]));
  const misses: string[] = [];
  for (const line of lines) {
    const unmatched = line.expect.map((e) => `${e.type}\u0000${e.value}`);
    for (const finding of scanText(line.text)) {
      const index = unmatched.indexOf(`${finding.type}\u0000${finding.value}`);
      if (index >= 0) {
        unmatched.splice(index, 1);
        scores.get(finding.type)!.truePositives++;
      } else {
        scores.get(finding.type)!.falsePositives++;
        misses.push(`false positive ${finding.type} ${JSON.stringify(finding.value)} in ${line.text}`);
      }
    }
    for (const missed of unmatched) {
      const [type, value] = missed.split('\u0000') as [PiiType, string];
      scores.get(type)!.falseNegatives++;
      misses.push(`missed ${type} ${JSON.stringify(value)} in ${line.text}`);
    }
  }
  return { scores, misses };
}

const precision = (s: Score) => (s.truePositives + s.falsePositives === 0 ? 1 : s.truePositives / (s.truePositives + s.falsePositives));
const recall = (s: Score) => (s.truePositives + s.falseNegatives === 0 ? 1 : s.truePositives / (s.truePositives + s.falseNegatives));

describe('labelled PII fixtures', () => {
  it('are exactly what the generator produces (regenerate with PII_FIXTURES_WRITE=1)', () => {
    expect(renderJsonl(labelled)).toBe(renderJsonl(buildLabelledFixtures()));
  });

  it('hold at least 200 positive and 200 negative lines covering every type', () => {
    const positives = labelled.filter((line) => line.expect.length > 0);
    expect(positives.length).toBeGreaterThanOrEqual(200);
    expect(labelled.length - positives.length).toBeGreaterThanOrEqual(200);
    for (const type of TYPES) {
      expect(positives.filter((line) => line.expect.some((e) => e.type === type)).length).toBeGreaterThanOrEqual(20);
    }
  });

  it('are detected with high precision and recall', () => {
    const { scores, misses } = score(labelled);
    const table = [
      'type          TP   FP   FN  precision  recall',
      ...TYPES.map((type) => {
        const s = scores.get(type)!;
        return `${type.padEnd(12)} ${String(s.truePositives).padStart(3)}  ${String(s.falsePositives).padStart(3)}  ${String(s.falseNegatives).padStart(3)}  ${(precision(s) * 100).toFixed(1).padStart(8)}%  ${(recall(s) * 100).toFixed(1).padStart(5)}%`;
      }),
    ];
    console.log(`PII detector precision/recall over ${labelled.length} labelled lines\n${table.join('\n')}${misses.length ? `\n\n${misses.join('\n')}` : ''}`);

    for (const type of TYPES) {
      const s = scores.get(type)!;
      expect({ type, recall: recall(s) >= 0.95 }).toEqual({ type, recall: true });
      const floor = CHECKSUM_TYPES.includes(type) ? 0.99 : 0.9;
      expect({ type, precision: precision(s) >= floor }).toEqual({ type, precision: true });
    }
  });
});
