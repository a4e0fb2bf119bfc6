import iconv from 'iconv-lite';
import { decodeLine } from './index.js';

describe('decodeLine', () => {
  it('keeps ASCII and valid UTF-8 as UTF-8', () => {
    expect(decodeLine(Buffer.from('Dec 10 06:55:46 LabSZ sshd[1]: ok'))).toEqual({
      text: 'Dec 10 06:55:46 LabSZ sshd[1]: ok', encoding: 'utf-8', lossy: false,
    });
    expect(decodeLine(Buffer.from('用户 张三 登录失败', 'utf8'))).toEqual({ text: '用户 张三 登录失败', encoding: 'utf-8', lossy: false });
  });

  it('reads GBK bytes as GB18030', () => {
    const line = '<134>Jan  5 10:00:00 fw01 用户张三登录失败 源地址=10.0.0.5';
    expect(decodeLine(iconv.encode(line, 'gbk'))).toEqual({ text: line, encoding: 'gb18030', lossy: false });
  });

  it('reads characters outside GBK that only GB18030 encodes (four-byte sequences)', () => {
    const line = '告警 𠀀 设备';
    expect(decodeLine(iconv.encode(line, 'gb18030'))).toEqual({ text: line, encoding: 'gb18030', lossy: false });
  });

  it('never throws on garbage and marks it lossy', () => {
    const garbage = Buffer.from([0xff, 0xfe, 0x00, 0x80, 0x81, 0xff, 0x41]);
    const decoded = decodeLine(garbage);
    expect(decoded.lossy).toBe(true);
    expect(decoded.text).toContain('\ufffd');
    expect(decoded.text.endsWith('A')).toBe(true);
  });

  it('prefers UTF-8 for a UTF-8 line cut inside its last character', () => {
    const whole = Buffer.from('登录失败', 'utf8');
    const decoded = decodeLine(whole.subarray(0, whole.length - 1));
    expect(decoded).toEqual({ text: '登录失\ufffd', encoding: 'utf-8', lossy: true });
  });

  it('prefers GB18030 for a GBK line with one broken byte', () => {
    const bytes = Buffer.concat([iconv.encode('防火墙阻断连接', 'gbk'), Buffer.from([0xff])]);
    const decoded = decodeLine(bytes);
    expect(decoded.encoding).toBe('gb18030');
    expect(decoded.lossy).toBe(true);
    expect(decoded.text.startsWith('防火墙阻断连接')).toBe(true);
  });

  it('decodes an empty buffer to an empty string', () => {
    expect(decodeLine(Buffer.alloc(0))).toEqual({ text: '', encoding: 'utf-8', lossy: false });
  });
});
