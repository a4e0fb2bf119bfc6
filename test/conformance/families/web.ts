import type { ConformanceFamily } from '../case.js';

const family: ConformanceFamily = {
  family: 'Web servers (nginx, Apache)',
  cases: [
    {
      name: 'nginx combined',
      reference: 'nginx ngx_http_log_module: the predefined "combined" format',
      line: '203.0.113.5 - - [05/Dec/2026:07:00:00 +0800] "GET /gov/notice?id=12 HTTP/1.1" 200 5120 "https://www.example.gov.cn/" "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"',
      expected: {
        'event.action': 'http_request', 'event.outcome': 'success', 'event.category': ['web', 'network'],
        'source.ip': '203.0.113.5', 'http.request.method': 'GET', 'http.version': '1.1', 'http.response.status_code': 200,
        'http.response.body.bytes': 5120, 'url.path': '/gov/notice', 'url.query': 'id=12', 'http.request.referrer': 'https://www.example.gov.cn/',
        'user_agent.original': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)', '@timestamp': '2026-12-04T23:00:00.000Z',
      },
    },
    {
      name: 'Apache common with an authenticated user and a failure',
      reference: 'Apache mod_log_config: Common Log Format "%h %l %u %t \\"%r\\" %>s %b"',
      line: '198.51.100.20 - zhangwei [05/Dec/2026:07:01:00 +0800] "POST /admin/login.php HTTP/1.0" 401 312',
      expected: {
        'event.action': 'http_request', 'event.outcome': 'failure', 'source.ip': '198.51.100.20', 'user.name': 'zhangwei',
        'http.request.method': 'POST', 'http.version': '1.0', 'http.response.status_code': 401, 'url.path': '/admin/login.php',
      },
    },
    {
      name: 'nginx with the virtual host first',
      reference: 'nginx log_format with $host before $remote_addr (a common multi-site layout)',
      line: 'www.example.gov.cn 203.0.113.5 - - [05/Dec/2026:07:02:00 +0800] "GET /index.html HTTP/1.1" 304 0 "-" "curl/8.5.0"',
      expected: {
        'event.action': 'http_request', 'event.outcome': 'success', 'source.ip': '203.0.113.5', 'url.domain': 'www.example.gov.cn',
        'destination.domain': 'www.example.gov.cn', 'http.response.status_code': 304, 'url.path': '/index.html', 'user_agent.original': 'curl/8.5.0',
      },
    },
    {
      name: 'Apache vhost_combined (host:port first)',
      reference: 'Apache mod_log_config: vhost_combined "%v:%p %h %l %u %t \\"%r\\" %>s %O \\"%{Referer}i\\" \\"%{User-Agent}i\\""',
      line: 'portal.example.gov.cn:443 203.0.113.9 - - [05/Dec/2026:07:03:00 +0800] "GET /wp-login.php HTTP/1.1" 404 196 "-" "python-requests/2.31"',
      expected: {
        'event.action': 'http_request', 'event.outcome': 'failure', 'source.ip': '203.0.113.9', 'url.domain': 'portal.example.gov.cn', 'url.port': 443,
        'destination.domain': 'portal.example.gov.cn', 'destination.port': 443, 'http.response.status_code': 404, 'url.path': '/wp-login.php',
      },
    },
    {
      name: 'Apache mod_ssl request log',
      reference: 'Apache mod_ssl default ssl_request_log: "%t %h %{SSL_PROTOCOL}x %{SSL_CIPHER}x \\"%r\\" %b"',
      line: '[05/Dec/2026:07:04:00 +0800] 203.0.113.5 TLSv1.2 ECDHE-RSA-AES128-GCM-SHA256 "GET /service/query HTTP/1.1" 2326',
      expected: {
        'event.action': 'http_request', 'source.ip': '203.0.113.5', 'tls.version': '1.2', 'tls.cipher': 'ECDHE-RSA-AES128-GCM-SHA256',
        'http.request.method': 'GET', 'url.path': '/service/query', 'http.response.body.bytes': 2326, '@timestamp': '2026-12-04T23:04:00.000Z',
      },
    },
    {
      name: 'nginx access line over syslog',
      reference: 'nginx access_log syslog:server=… (RFC 3164 header, tag nginx)',
      line: '<190>Dec  5 07:05:00 web01 nginx: 203.0.113.7 - - [05/Dec/2026:07:05:00 +0800] "GET /../../etc/passwd HTTP/1.1" 400 150 "-" "sqlmap/1.7"',
      expected: {
        'event.action': 'http_request', 'event.outcome': 'failure', 'source.ip': '203.0.113.7', 'host.name': 'web01', 'process.name': 'nginx',
        'http.response.status_code': 400, 'user_agent.original': 'sqlmap/1.7',
      },
    },
    {
      name: 'nginx error log: file not found',
      reference: 'nginx error_log format: "YYYY/MM/DD HH:MM:SS [level] pid#tid: *cid message, client: …, server: …, request: …, host: …"',
      line: '2026/12/05 07:06:00 [error] 1234#1234: *45 open() "/srv/www/robots.txt" failed (2: No such file or directory), client: 203.0.113.5, server: www.example.gov.cn, request: "GET /robots.txt HTTP/1.1", host: "www.example.gov.cn"',
      expected: {
        'event.action': 'web_file_not_found', 'event.outcome': 'failure', 'log.level': 'error', 'process.pid': 1234, 'source.ip': '203.0.113.5',
        'http.request.method': 'GET', 'url.path': '/robots.txt', 'url.domain': 'www.example.gov.cn',
      },
    },
    {
      name: 'Apache 2.4 error log with client port',
      reference: 'Apache 2.4 ErrorLogFormat default: "[%t] [%-m:%l] [pid %P:tid %T] [client %a] %M"',
      line: '[Sat Dec 05 07:07:00.123456 2026] [authz_core:error] [pid 2211:tid 140331] [client 203.0.113.5:51234] AH01630: client denied by server configuration: /var/www/html/.git',
      expected: {
        'event.action': 'web_access_denied', 'event.outcome': 'failure', 'log.level': 'error', 'process.pid': 2211,
        'source.ip': '203.0.113.5', 'source.port': 51234,
      },
    },
    {
      name: 'Apache 2.2 error log',
      reference: 'Apache 2.2 error log: "[%t] [level] [client ip] message"',
      line: '[Sat Dec 05 07:08:00 2026] [error] [client 198.51.100.20] File does not exist: /var/www/html/phpmyadmin',
      expected: { 'event.action': 'web_file_not_found', 'event.outcome': 'failure', 'log.level': 'error', 'source.ip': '198.51.100.20' },
    },
  ],
};
export default family;
