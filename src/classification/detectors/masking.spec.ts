import { keyedHash, maskEvent, maskValue } from './masking.js';

const KEY = 'test-key-0123456789abcdef';

describe('maskValue', () => {
  it.each([
    ['resident_id', '11010519491231002X', '110105********002X'],
    ['resident_id', '110105491231002', '110105*****1002'],
    ['mobile', '13812345678', '138****5678'],
    ['mobile', '+86 138-1234-5678', '+86 138-****-5678'],
    ['bank_card', '6200000000000005', '620000******0005'],
    ['bank_card', '6222 0212 3456 7890 123', '6222 02** **** ***0 123'],
    ['plate', '京A12345', '京A****5'],
    ['plate', '粤B·8K2P7', '粤B·****7'],
    ['plate', '冀F1234挂', '冀F****挂'],
    ['vin', '1M8GDM9AXKP042788', '1M8**********2788'],
    ['email', 'zhang.san@example.com', 'z***@example.com'],
    ['email', 'wang%40example.org', 'w***%40example.org'],
    ['location', '39.9087&lon=116.3975', '39.91&lon=116.40'],
  ] as const)('%s %s → %s', (type, value, masked) => {
    expect(maskValue(type, value)).toBe(masked);
  });
});

describe('keyedHash', () => {
  it('is 22 base64url characters, stable for a key and different under another key', () => {
    const hash = keyedHash('mobile', '13812345678', KEY);
    expect(hash).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(keyedHash('mobile', '13812345678', KEY)).toBe(hash);
    expect(keyedHash('mobile', '13812345678', 'another-key-0123456789')).not.toBe(hash);
  });

  it('correlates different spellings of one value and separates types', () => {
    expect(keyedHash('mobile', '+86 138-1234-5678', KEY)).toBe(keyedHash('mobile', '13812345678', KEY));
    expect(keyedHash('resident_id', '11010519491231002x', KEY)).toBe(keyedHash('resident_id', '11010519491231002X', KEY));
    expect(keyedHash('bank_card', '6200000000000005', KEY)).not.toBe(keyedHash('mobile', '6200000000000005', KEY));
  });
});

describe('maskEvent', () => {
  const event = {
    ts: '2025-03-01T10:02:11+08:00',
    request: { path: '/gov/apply', query: 'idcard=11010519491231002X&phone=13812345678' },
    user: { email: 'zhang.san@example.com', mobile: 13912345678 },
    gps: { lat: 39.9087, lng: 116.3975 },
  };

  it('masks every finding by default and returns a copy', () => {
    const snapshot = structuredClone(event);
    const result = maskEvent(event, {}, KEY);
    expect(result.event).toEqual({
      ts: '2025-03-01T10:02:11+08:00',
      request: { path: '/gov/apply', query: 'idcard=110105********002X&phone=138****5678' },
      user: { email: 'z***@example.com', mobile: '139****5678' },
      gps: { lat: 39.91, lng: 116.4 },
    });
    expect(event).toEqual(snapshot);
  });

  it('lists each finding with path, sensitivity, keyed hash and masked form, never the clear value', () => {
    const { findings } = maskEvent(event, {}, KEY);
    expect(findings.map(({ path, type, sensitive, masked }) => [path, type, sensitive, masked])).toEqual([
      ['request.query', 'resident_id', true, '110105********002X'],
      ['request.query', 'mobile', false, '138****5678'],
      ['user.email', 'email', false, 'z***@example.com'],
      ['user.mobile', 'mobile', false, '139****5678'],
      ['gps.lat', 'location', true, '39.91'],
      ['gps.lng', 'location', true, '116.40'],
    ]);
    expect(findings[0].hash).toBe(keyedHash('resident_id', '11010519491231002X', KEY));
    expect(JSON.stringify(findings)).not.toContain('13812345678');
  });

  it('applies hash and keep per type', () => {
    const { event: masked, findings } = maskEvent(event, { resident_id: 'hash', mobile: 'keep' }, KEY);
    const idHash = keyedHash('resident_id', '11010519491231002X', KEY);
    expect((masked as typeof event).request.query).toBe(`idcard=[resident_id:${idHash}]&phone=13812345678`);
    expect((masked as typeof event).user.mobile).toBe(13912345678);
    expect((masked as typeof event).user.email).toBe('z***@example.com');
    expect(findings).toHaveLength(6);
  });

  it('masks when a policy entry is not a known action', () => {
    const { event: masked } = maskEvent({ phone: '13812345678' }, { mobile: 'masked' as never }, KEY);
    expect(masked).toEqual({ phone: '138****5678' });
  });

  it('replaces several findings in one string without disturbing the rest', () => {
    const line = 'a 13812345678 b 13912345678 c';
    expect(maskEvent({ line }, {}, KEY).event).toEqual({ line: 'a 138****5678 b 139****5678 c' });
  });

  it('refuses a short or missing key', () => {
    expect(() => maskEvent(event, {}, 'short')).toThrow(RangeError);
    expect(() => maskEvent(event, {}, undefined as unknown as string)).toThrow(RangeError);
    expect(() => maskEvent(event, {}, Buffer.alloc(16, 1))).not.toThrow();
  });

  it('passes through events without personal data unchanged', () => {
    const plain = { level: 'info', msg: 'service started', port: 8080 };
    expect(maskEvent(plain, {}, KEY)).toEqual({ event: plain, findings: [] });
  });
});
