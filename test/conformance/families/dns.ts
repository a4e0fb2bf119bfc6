import type { ConformanceFamily } from '../case.js';

const family: ConformanceFamily = {
  family: 'DNS servers (BIND named)',
  cases: [
    {
      name: 'query log over syslog',
      reference: 'BIND 9 ARM, logging category "queries": "client @0x… addr#port (name): query: name class type flags (server)"',
      line: '<30>Dec  5 07:20:00 dns1 named[812]: client @0x7f3a2c01a2b0 10.20.3.15#53211 (www.example.gov.cn): query: www.example.gov.cn IN A +E(0)K (10.20.0.53)',
      expected: {
        'event.action': 'dns_query', 'event.outcome': 'success', 'source.ip': '10.20.3.15', 'source.port': 53211,
        'dns.question.name': 'www.example.gov.cn', 'dns.question.class': 'IN', 'dns.question.type': 'A', 'destination.ip': '10.20.0.53',
        'network.transport': 'udp', 'network.protocol': 'dns', 'host.name': 'dns1', 'process.name': 'named',
      },
    },
    {
      name: 'query log file with view and TCP',
      reference: 'BIND 9 ARM querylog with print-time, print-category and print-severity; "T" flag for TCP',
      line: '05-Dec-2026 07:21:00.314 queries: info: client @0x7f3a2c01b000 198.51.100.20#40211 (example.gov.cn): view external: query: example.gov.cn IN ANY +T (203.0.113.53)',
      expected: {
        'event.action': 'dns_query', 'source.ip': '198.51.100.20', 'source.port': 40211, 'dns.question.name': 'example.gov.cn',
        'dns.question.type': 'ANY', 'network.transport': 'tcp', 'destination.ip': '203.0.113.53', '@timestamp': '2026-12-04T23:21:00.314Z',
      },
    },
    {
      name: 'recursion denied',
      reference: 'BIND 9 security category: "query (cache) \'name/type/class\' denied"',
      line: '<28>Dec  5 07:22:00 dns1 named[812]: client @0x7f3a2c01c000 198.51.100.20#5353 (open.example.net): query (cache) \'open.example.net/A/IN\' denied',
      expected: {
        'event.action': 'dns_query_denied', 'event.outcome': 'failure', 'source.ip': '198.51.100.20', 'dns.question.name': 'open.example.net',
        'dns.question.type': 'A', 'dns.question.class': 'IN',
      },
    },
    {
      name: 'zone transfer denied',
      reference: 'BIND 9 xfer-out/security: "zone transfer \'zone/AXFR/class\' denied"',
      line: '<28>Dec  5 07:23:00 dns1 named[812]: client @0x7f3a2c01d000 203.0.113.66#41552 (example.gov.cn): zone transfer \'example.gov.cn/AXFR/IN\' denied',
      expected: {
        'event.action': 'dns_zone_transfer_denied', 'event.outcome': 'failure', 'source.ip': '203.0.113.66', 'dns.question.name': 'example.gov.cn',
        'dns.question.type': 'AXFR', 'network.transport': 'tcp',
      },
    },
  ],
};
export default family;
