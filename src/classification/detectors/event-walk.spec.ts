import { CIRCULAR, mapEventLeaves, scanEvent, TOO_DEEP } from './event-walk.js';

describe('scanEvent', () => {
  it('walks nested objects and arrays and reports field paths', () => {
    const event = {
      source: 'parking',
      reads: [{ plate: '京A12345' }, { plate: 'unreadable' }, { plate: '粤B8K2P7' }],
      user: { 'contact info': { phone: '13812345678' } },
    };
    expect(scanEvent(event).map((f) => [f.path, f.type, f.value])).toEqual([
      ['reads[0].plate', 'plate', '京A12345'],
      ['reads[2].plate', 'plate', '粤B8K2P7'],
      ['user["contact info"].phone', 'mobile', '13812345678'],
    ]);
  });

  it('scans numbers in their JSON spelling', () => {
    expect(scanEvent({ phone: 13812345678 })).toMatchObject([{ path: 'phone', type: 'mobile', value: '13812345678' }]);
  });

  it('recognises a coordinate split over two keys of one object', () => {
    const findings = scanEvent({ device: 'bus-17', gps: { lat: 39.9087, lng: 116.3975, speed: 31.5 } });
    expect(findings.map((f) => [f.path, f.type, f.value, f.sensitive])).toEqual([
      ['gps.lat', 'location', '39.9087', true],
      ['gps.lng', 'location', '116.3975', true],
    ]);
  });

  it('leaves imprecise or foreign split coordinates alone', () => {
    expect(scanEvent({ lat: 39.91, lng: 116.4 })).toEqual([]);
    expect(scanEvent({ lat: '48.8566', lon: '2.3522' })).toEqual([]);
  });

  it('survives anything', () => {
    const cyclic: Record<string, unknown> = { phone: '13812345678' };
    cyclic.self = cyclic;
    expect(scanEvent(cyclic)).toHaveLength(1);
    for (const input of [undefined, null, 0, NaN, true, Symbol('x'), () => 1, new Date(), Buffer.from('13812345678')]) {
      expect(scanEvent(input)).toEqual([]);
    }
  });

  it('accepts a bare string as the whole event', () => {
    expect(scanEvent('tel 13812345678')).toMatchObject([{ path: '', type: 'mobile' }]);
  });
});

describe('mapEventLeaves', () => {
  it('copies the structure, rewriting only leaves with findings, and leaves the original untouched', () => {
    const event = { a: ['x', { b: 13812345678 }], c: 'tel 13912345678', d: 7 };
    const visited: string[] = [];
    const copy = mapEventLeaves(event, (leaf) => {
      visited.push(leaf.path);
      return `${leaf.original}!`;
    });
    expect(copy).toEqual({ a: ['x', { b: '13812345678!' }], c: 'tel 13912345678!', d: 7 });
    expect(visited).toEqual(['a[1].b', 'c']);
    expect(event).toEqual({ a: ['x', { b: 13812345678 }], c: 'tel 13912345678', d: 7 });
  });

  it('leaves exempt fields and subtrees as they are, and the same values elsewhere are still rewritten', () => {
    const event = { event: { id: '13812345678', original: 'tel 13812345678' }, taishi: { department: '13912345678' }, message: '13912345678', id: '13812345678' };
    const visited: string[] = [];
    const copy = mapEventLeaves(
      event,
      (leaf) => {
        visited.push(leaf.path);
        return 'masked';
      },
      new Map<string, true | ReadonlyMap<string, true>>([
        ['taishi', true],
        ['event', new Map([['id', true]])],
      ]),
    ) as typeof event;
    expect(visited).toEqual(['event.original', 'message', 'id']);
    expect(copy).toEqual({ event: { id: '13812345678', original: 'masked' }, taishi: { department: '13912345678' }, message: 'masked', id: 'masked' });
    expect(copy.taishi).toBe(event.taishi);
  });

  it('replaces cycles and excessive nesting by markers instead of unexamined content', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(mapEventLeaves(cyclic, (leaf) => leaf.original)).toEqual({ self: CIRCULAR });

    let deep: unknown = 'tel 13812345678';
    for (let i = 0; i < 100; i++) deep = { next: deep };
    let node = mapEventLeaves(deep, (leaf) => leaf.original) as Record<string, unknown>;
    let levels = 0;
    while (typeof node === 'object') {
      node = node.next as Record<string, unknown>;
      levels++;
    }
    expect(levels).toBe(64);
    expect(node).toBe(TOO_DEEP);
  });
});
