import { isSensitive, scanText } from './registry.js';

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

  it('returns nothing for text that fails every pre-check', () => {
    expect(scanText('GET /index.html 200 512 "Mozilla/5.0"')).toEqual([]);
  });
});
