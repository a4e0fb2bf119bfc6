import { parseLine } from './index.js';
import type { FormatHint, ParseContext } from './index.js';

const ctx = (format: FormatHint = 'auto'): ParseContext => ({
  source: 'web', transport: 'file', receivedAt: new Date('2024-06-02T00:00:00Z'), format,
});

describe('access logs', () => {
  const combined = '203.0.113.50 - zhang [01/Jun/2024:10:11:12 +0800] "GET /gov/search.php?q=%27or+1%3D1 HTTP/1.1" 403 153 "https://www.example.gov.cn/" "Mozilla/5.0 (X11; Linux) sqlmap/1.7"';

  it('reads the combined format', () => {
    const e = parseLine(combined, ctx('nginx'));
    expect(e['@timestamp']).toBe('2024-06-01T02:11:12.000Z');
    expect(e.event).toMatchObject({ action: 'http_request', outcome: 'failure', category: ['web', 'network'], type: ['access'], dataset: 'nginx.access', module: 'nginx' });
    expect(e.source).toEqual({ ip: '203.0.113.50' });
    expect(e.user).toEqual({ name: 'zhang' });
    expect(e.url).toEqual({ original: '/gov/search.php?q=%27or+1%3D1', path: '/gov/search.php', query: 'q=%27or+1%3D1' });
    expect(e.http).toEqual({ request: { method: 'GET', referrer: 'https://www.example.gov.cn/' }, version: '1.1', response: { status_code: 403, body: { bytes: 153 } } });
    expect(e.user_agent).toEqual({ original: 'Mozilla/5.0 (X11; Linux) sqlmap/1.7' });
  });

  it('names the server from the hint, and a neutral module without one', () => {
    expect(parseLine(combined, ctx('apache')).event.dataset).toBe('apache.access');
    expect(parseLine(combined, ctx()).event.dataset).toBe('http.access');
  });

  it('reads the common format with no bytes, IPv6 client and no referer', () => {
    const e = parseLine('2001:db8::1 - - [31/Dec/2023:23:59:59 -0500] "POST /login HTTP/1.0" 200 -', ctx());
    expect(e['@timestamp']).toBe('2024-01-01T04:59:59.000Z');
    expect(e.event.outcome).toBe('success');
    expect(e.http).toEqual({ request: { method: 'POST' }, version: '1.0', response: { status_code: 200 } });
    expect(e.user).toBeUndefined();
    expect(e.user_agent).toBeUndefined();
  });

  it('unescapes quotes and keeps junk requests from scanners', () => {
    const e = parseLine('198.51.100.2 - - [01/Jun/2024:10:11:12 +0000] "\\x16\\x03\\x01\\x00\\xA5" 400 157 "-" "say \\"hi\\""', ctx('nginx'));
    expect(e.event.action).toBe('http_request');
    expect(e.http?.request).toBeUndefined();
    expect(e.vendor).toEqual({ request: '\\x16\\x03\\x01\\x00\\xA5' });
    expect(e.user_agent?.original).toBe('say "hi"');
  });

  it('reads access lines that nginx sends over syslog', () => {
    const e = parseLine('<190>Jun  1 10:11:12 web01 nginx: 203.0.113.50 - - [01/Jun/2024:10:11:12 +0800] "GET / HTTP/1.1" 200 612 "-" "curl/8.0"', ctx());
    expect([e.event.dataset, e.host?.name, e.http?.response?.status_code]).toEqual(['nginx.access', 'web01', 200]);
  });
});

describe('error logs', () => {
  it('reads an nginx error line with its client, server and request', () => {
    const e = parseLine('2024/06/01 10:11:12 [error] 1234#5678: *99 open() "/usr/share/nginx/html/wp-login.php" failed (2: No such file or directory), client: 203.0.113.50, server: www.example.gov.cn, request: "GET /wp-login.php HTTP/1.1", host: "www.example.gov.cn"', ctx());
    expect(e['@timestamp']).toBe('2024-06-01T02:11:12.000Z');
    expect(e.event).toMatchObject({ action: 'web_file_not_found', outcome: 'failure', dataset: 'nginx.error' });
    expect(e.log).toEqual({ level: 'error' });
    expect(e.process).toEqual({ pid: 1234 });
    expect(e.source).toEqual({ ip: '203.0.113.50' });
    expect(e.url).toEqual({ original: '/wp-login.php', path: '/wp-login.php', domain: 'www.example.gov.cn' });
    expect(e.http).toEqual({ request: { method: 'GET' }, version: '1.1' });
    expect(e.message).toBe('open() "/usr/share/nginx/html/wp-login.php" failed (2: No such file or directory)');
    expect(e.vendor).toEqual({ tid: 5678, connection_id: 99, server: 'www.example.gov.cn' });
  });

  it('reads an nginx denial without a connection id', () => {
    const e = parseLine('2024/06/01 10:11:12 [error] 7#7: access forbidden by rule, client: 10.0.0.9, server: _, request: "GET /admin HTTP/1.1"', ctx('nginx'));
    expect([e.event.action, e.source?.ip, e.url?.path]).toEqual(['web_access_denied', '10.0.0.9', '/admin']);
  });

  it('reads the Apache 2.4 error format with module, pid, client port and referer', () => {
    const e = parseLine('[Sat Jun 01 10:11:12.345678 2024] [authz_core:error] [pid 4321:tid 140001] [client 203.0.113.50:51234] AH01630: client denied by server configuration: /var/www/html/.git, referer: http://evil.example/', ctx());
    expect(e['@timestamp']).toBe('2024-06-01T02:11:12.345Z');
    expect(e.event).toMatchObject({ action: 'web_access_denied', dataset: 'apache.error' });
    expect(e.log).toEqual({ level: 'error', logger: 'authz_core' });
    expect(e.process).toEqual({ pid: 4321 });
    expect(e.source).toEqual({ ip: '203.0.113.50', port: 51234 });
    expect(e.http).toEqual({ request: { referrer: 'http://evil.example/' } });
    expect(e.message).toBe('AH01630: client denied by server configuration: /var/www/html/.git');
  });

  it('reads the Apache 2.2 "File does not exist" line', () => {
    const e = parseLine('[Sun Dec 04 07:12:40 2005] [error] [client 10.1.2.3] File does not exist: /var/www/html/robots.txt', ctx());
    expect([e.event.action, e.source?.ip, e.log?.level]).toEqual(['web_file_not_found', '10.1.2.3', 'error']);
  });
});

describe('Apache client addresses', () => {
  it.each([
    ['[client 10.1.2.3]', { ip: '10.1.2.3' }],
    ['[client 10.1.2.3:4444]', { ip: '10.1.2.3', port: 4444 }],
    ['[client 2001:db8::1]', { ip: '2001:db8::1' }],
    ['[client 2001:db8::1:4444]', { ip: '2001:db8::1', port: 4444 }],
  ])('%s', (client, source) => {
    const e = parseLine(`[Sat Jun 01 10:11:12 2024] [error] ${client} File does not exist: /x`, ctx());
    expect(e.source).toEqual(source);
  });
});
