import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { profileText } from './profile.js';
import { DETECTORS, isSensitive, mayHoldAny, scanText, SHORTEST_FINDING } from './registry.js';
import type { TextProfile } from './types.js';

/** Every line of the project's fixture logs, the labelled personal-data lines among them. */
function fixtureLines(): string[] {
  const lines: string[] = [];
  for (const folder of ['logs', 'loghub', 'pii']) {
    const dir = fileURLToPath(new URL(`../../../fixtures/${folder}/`, import.meta.url));
    for (const name of readdirSync(dir).filter((n) => /\.(log|ndjson|jsonl|csv)$/.test(n))) lines.push(...readFileSync(dir + name, 'utf8').split('\n'));
  }
  return lines;
}

describe('scanText', () => {
  it('reports every type in one realistic line, in order, with offsets into the text', () => {
    const text =
      '2025-03-01 10:02:11 portal POST /gov/apply id=11010519491231002X phone=13812345678 mail=zhang@example.com ' +
      'card=6200000000000005 plate=京A12345 vin=1M8GDM9AXKP042788 lat=39.9087&lon=116.3975';
    const findings = scanText(text);
    expect(findings.map((f) => f.type)).toEqual(['resident_id', 'mobile', 'email', 'bank_card', 'plate', 'vin', 'location']);
    for (const finding of findings) expect(text.slice(finding.start, finding.end)).toBe(finding.value);
  });

  it('marks sensitive personal information per PIPL Art. 28', () => {
    const sensitive = Object.fromEntries(
      (['resident_id', 'bank_card', 'location', 'mobile', 'email', 'plate', 'vin'] as const).map((type) => [type, isSensitive(type)]),
    );
    expect(sensitive).toEqual({ resident_id: true, bank_card: true, location: true, mobile: false, email: false, plate: false, vin: false });
    expect(scanText('身份证11010519491231002X')[0].sensitive).toBe(true);
    expect(scanText('手机13812345678')[0].sensitive).toBe(false);
  });

  it('gives a span claimed by two detectors to the more confident one', () => {
    // 62 is Gansu for an id and UnionPay for a card; this id also passes Luhn.
    const id = '620102199001011057';
    expect(scanText(`证件 ${id}`)).toMatchObject([{ type: 'resident_id', value: id }]);
  });

  it.each([undefined, null, 42, {}, ''])('returns nothing for %p', (input) => {
    expect(scanText(input as unknown as string)).toEqual([]);
  });

  it('answers a long text scanned again with the same read-only findings, however many texts came between', () => {
    const line = (n: number) => `2025-03-01 portal user ${n} phone=1381234${String(n).padStart(4, '0')} from 10.0.0.${n}`;
    const first = scanText(line(1));
    expect(first).toMatchObject([{ type: 'mobile', value: '13812340001' }]);
    expect(Object.isFrozen(first)).toBe(true);
    expect(scanText(line(1))).toBe(first);
    for (let n = 2; n < 20; n++) expect(scanText(line(n))).toMatchObject([{ type: 'mobile', value: `1381234${String(n).padStart(4, '0')}` }]);
    // Built afresh, so equal content and not the cached object is what matches.
    const again = scanText([...line(1)].join(''));
    expect(again).toEqual(first);
    expect(scanText('short 13812345678')).toMatchObject([{ type: 'mobile' }]);
  });

  it('lets through to each detector every text it finds something in: its pre-check only skips what it would not find', () => {
    const written = [
      '6222 0212 3456 7890 123', '6222-0212-3456-7890', '卡号6222021234567890123，', 'pan=4111111111111111', 'tel:+86 138-1234-5678', '0086-13812345678',
      '手机13812345678', '138 12345678', 'ProcessGuid 5AA13A44-0D08-68FC-DC1D-000000004002 card 6222 0212 3456 7890',
    ];
    const texts = [...fixtureLines(), ...written];
    let found = 0;
    const skipped: { type: string; text: string }[] = [];
    for (const text of texts) {
      for (const detector of DETECTORS) {
        if (detector.detect(text, profileText(text)).length === 0) continue;
        found++;
        if (!detector.applies(profileText(text))) skipped.push({ type: detector.type, text });
      }
    }
    expect(texts.length).toBeGreaterThan(5000);
    expect(found).toBeGreaterThan(200);
    expect(skipped).toEqual([]);
  });

  it('finds nothing in a text shorter than SHORTEST_FINDING, which it therefore does not read', () => {
    // every detector, without its pre-check: on each piece of that length of every finding in the
    // fixtures, and on random short texts of the characters findings are made of
    const findings = fixtureLines().flatMap((text) => scanText(text).map((f) => f.value));
    expect(findings.length).toBeGreaterThan(200);
    expect(Math.min(...findings.map((v) => v.length))).toBeGreaterThanOrEqual(SHORTEST_FINDING);
    const pieces = new Set<string>();
    for (const value of findings) for (let start = 0; start < value.length; start++) for (let end = start + 1; end < start + SHORTEST_FINDING && end <= value.length; end++) pieces.add(value.slice(start, end));
    const alphabet = [...'0123456789aAbBcCdDeEfFxX@.%-_ +·京粤使警港'];
    let seed = 7;
    const next = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff);
    for (let i = 0; i < 20_000; i++) pieces.add(Array.from({ length: 1 + (next() % (SHORTEST_FINDING - 1)) }, () => alphabet[next() % alphabet.length]).join(''));
    pieces.add('a@b.cn'.slice(0, SHORTEST_FINDING - 1)).add('京A1234').add('使01440').add('a%40b');
    const found = [...pieces].flatMap((text) => DETECTORS.flatMap((detector) => detector.detect(text, profileText(text)).map((f) => `${detector.type}: ${text}`)));
    expect(found).toEqual([]);
    expect(scanText('a@b.cn')).toMatchObject([{ type: 'email' }]);
  });

  it('returns nothing for text that fails every pre-check', () => {
    expect(scanText('GET /index.html 200 512 "Mozilla/5.0"')).toEqual([]);
  });

  it('skips only texts that no detector would look at', () => {
    // Every profile near the detectors' thresholds: mayHoldAny must hold wherever one applies.
    const small = [0, 1, 3, 4, 7, 8, 11, 12, 13, 15, 17, 18, 19];
    let applying = 0;
    const missed: TextProfile[] = [];
    for (const digits of small)
      for (const run of small.filter((r) => r <= digits))
        for (const chain of small.filter((c) => c >= run && c <= digits))
          for (const tokens of [0, ...Array.from({ length: 30 }, (_, n) => 1 << (n + 1)), -1 >>> 1])
            for (const precise of [0, 1, 2, 3])
              for (const flags of [0, 1, 2, 3]) {
                const profile: TextProfile = {
                  longestDigitRun: run, digitCount: digits, longestDigitChain: chain, preciseDecimals: precise, tokenLengths: tokens,
                  hasAt: (flags & 1) !== 0, hasPlateProvince: (flags & 2) !== 0, length: 40, wholeTokens: [],
                };
                if (!DETECTORS.some((detector) => detector.applies(profile))) continue;
                applying++;
                if (!mayHoldAny(profile)) missed.push(profile);
              }
    expect(applying).toBeGreaterThan(1000);
    expect(missed).toEqual([]);
  });
});
