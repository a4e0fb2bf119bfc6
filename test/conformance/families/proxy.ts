import type { ConformanceFamily } from '../case.js';

const family: ConformanceFamily = {
  family: 'Proxies and load balancers (HAProxy, Squid)',
  cases: [
    {
      name: 'HAProxy HTTP log',
      reference: 'HAProxy configuration manual 8.2.3 "HTTP log format" (option httplog)',
      line: '<134>Dec  5 07:10:00 lb01 haproxy[3301]: 203.0.113.5:51234 [05/Dec/2026:07:10:00.123] fe_http be_portal/web2 0/0/1/12/13 200 5120 - - ---- 12/12/3/1/0 0/0 "GET /gov/index.html HTTP/1.1"',
      expected: {
        'event.action': 'http_request', 'event.outcome': 'success', 'source.ip': '203.0.113.5', 'source.port': 51234,
        'http.request.method': 'GET', 'http.version': '1.1', 'http.response.status_code': 200, 'http.response.body.bytes': 5120,
        'url.path': '/gov/index.html', 'network.transport': 'tcp', 'network.protocol': 'http', 'host.name': 'lb01', 'process.name': 'haproxy',
        'process.pid': 3301, '@timestamp': '2026-12-04T23:10:00.123Z',
      },
    },
    {
      name: 'HAProxy HTTP log, a 503 with captured headers',
      reference: 'HAProxy configuration manual 8.2.3, with capture request header (braces) and termination state',
      line: '<134>Dec  5 07:10:05 lb01 haproxy[3301]: 198.51.100.20:40100 [05/Dec/2026:07:10:05.001] fe_http be_portal/<NOSRV> 0/-1/-1/-1/0 503 217 - - SC-- 5/5/0/0/0 0/0 {portal.example.gov.cn} "POST /login HTTP/1.1"',
      expected: {
        'event.action': 'http_request', 'event.outcome': 'failure', 'source.ip': '198.51.100.20', 'http.response.status_code': 503,
        'http.request.method': 'POST', 'url.path': '/login',
      },
    },
    {
      name: 'HAProxy TCP log',
      reference: 'HAProxy configuration manual 8.2.2 "TCP log format" (option tcplog)',
      line: '<134>Dec  5 07:11:00 lb01 haproxy[3301]: 203.0.113.5:51300 [05/Dec/2026:07:11:00.456] fe_pg be_db/db1 1/0/5012 2214 -- 3/3/1/1/0 0/0',
      expected: {
        'event.action': 'network_flow', 'event.outcome': 'success', 'event.category': ['network'], 'source.ip': '203.0.113.5', 'source.port': 51300,
        'network.transport': 'tcp', 'host.name': 'lb01',
      },
    },
    {
      name: 'Squid native, cache miss',
      reference: 'Squid wiki "Squid native access.log format": time elapsed remotehost code/status bytes method URL rfc931 peerstatus/peerhost type',
      line: '1764889800.123    245 10.20.3.15 TCP_MISS/200 10432 GET http://news.example.cn/a.html?p=2 - HIER_DIRECT/198.51.100.7 text/html',
      expected: {
        'event.action': 'http_request', 'event.outcome': 'success', 'source.ip': '10.20.3.15', 'http.request.method': 'GET',
        'http.response.status_code': 200, 'http.response.body.bytes': 10432, 'url.original': 'http://news.example.cn/a.html?p=2',
        'url.domain': 'news.example.cn', 'url.path': '/a.html', 'url.query': 'p=2', 'url.scheme': 'http', 'destination.ip': '198.51.100.7',
        '@timestamp': '2025-12-04T23:10:00.123Z',
      },
    },
    {
      name: 'Squid native, denied',
      reference: 'Squid wiki "SquidFaq/SquidLogs": TCP_DENIED/403 for requests refused by http_access',
      line: '1764889860.501      0 10.20.3.16 TCP_DENIED/403 3912 GET http://blocked.example.net/ liwei HIER_NONE/- text/html',
      expected: {
        'event.action': 'proxy_request_denied', 'event.outcome': 'failure', 'source.ip': '10.20.3.16', 'user.name': 'liwei',
        'http.response.status_code': 403, 'url.domain': 'blocked.example.net',
      },
    },
    {
      name: 'Squid native, CONNECT tunnel',
      reference: 'Squid native access.log: CONNECT logs host:port as the URL',
      line: '1764889920.002  60125 10.20.3.15 TCP_TUNNEL/200 48211 CONNECT mail.example.com:443 - HIER_DIRECT/203.0.113.80 -',
      expected: {
        'event.action': 'http_request', 'event.outcome': 'success', 'source.ip': '10.20.3.15', 'http.request.method': 'CONNECT',
        'destination.ip': '203.0.113.80', 'destination.port': 443, 'url.domain': 'mail.example.com',
      },
    },
  ],
};
export default family;
