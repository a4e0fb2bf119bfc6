import { parseLine, type ParseContext } from '../parsing/index.js';
import { lineShape, programOf } from './index.js';

const ctx: ParseContext = { source: 'test', transport: 'file', receivedAt: new Date('2026-12-05T00:00:00Z') };

describe('line shapes', () => {
  it('collapses numbers, addresses, hex, times, dates and quoted strings to placeholders', () => {
    expect(lineShape('conn 42 from 10.1.2.3:5555 to fe80::1ab:ff and 2001:db8::7 mac 00:1a:2b:3c:4d:5e id=0xdeadbeef tx 9f3a2b7c1d at 10:00:01 on 2026-12-05T10:00:01+08:00 msg "hello world" \'x y\''))
      .toBe('conn <n> from <ip> to <ip6> and <ip6> mac <mac> id=<hex> tx <hex> at <time> on <date> msg "<s>" "<s>"');
    expect(lineShape('session 123e4567-e89b-12d3-a456-426614174000 closed, 3.5 s')).toBe('session <uuid> closed, <n> s');
  });

  it('keeps words: names of things, plain hex-looking words, interface names generalised', () => {
    expect(lineShape('link eth0 up, state deadbeef cafe')).toBe('link eth<n> up, state deadbeef cafe');
  });

  it('lines that differ only in their variable parts have one shape', () => {
    const a = lineShape('user 1001 connected from 10.0.0.1 port 22');
    const b = lineShape('user 7 connected from 192.168.200.17 port 50022');
    expect(a).toBe(b);
  });

  it('masks personal data through the classification detectors: ids, mobiles, cards, e-mail, plates', () => {
    const shape = lineShape('申请人 身份证11010519491231002X 手机13812345678 卡号6222021234567890128 邮箱 zhang.san@example.com 车牌 京A12345');
    expect(shape).toBe('申请人 身份证<resident_id> 手机<mobile> 卡号<bank_card> 邮箱 <email> 车牌 <plate>');
    for (const secret of ['11010519491231002X', '13812345678', '6222021234567890128', 'zhang.san', 'A12345']) expect(shape).not.toContain(secret);
  });

  it('is bounded: a huge line gives a short shape', () => {
    const shape = lineShape('x'.repeat(100_000));
    expect(shape.length).toBeLessThanOrEqual(160);
    expect(shape.endsWith('…')).toBe(true);
  });
});

describe('sending program', () => {
  it('is the syslog process, the Huawei module, or the dataset', () => {
    expect(programOf(parseLine('Dec  5 10:00:01 gw01 mydaemon[123]: hello', ctx))).toBe('mydaemon');
    expect(programOf(parseLine('<134>Dec  5 10:00:01 fw %%01SHELL/5/CMDRECORD(s)[0]: Recorded command information.', ctx))).toBe('%%SHELL');
    expect(programOf(parseLine('<14>1 2026-12-05T10:00:01Z host app7 - - - started', ctx))).toBe('app7');
    expect(programOf(parseLine('some random line', ctx))).toBe('generic.raw');
  });
});
