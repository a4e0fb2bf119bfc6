import type { ConformanceFamily } from '../case.js';

/** Sample lines written for Taishi in each vendor's documented wire format. */
const family: ConformanceFamily = {
  family: 'iptables / UFW',
  cases: [
    {
      name: 'UFW block of an inbound TCP SYN',
      reference: 'netfilter LOG target field list; UFW prefixes; ICMP errors quote the inner packet in brackets',
      line: 'Jun  1 11:00:00 gw kernel: [812345.001122] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=198.51.100.9 DST=10.10.1.1 LEN=44 TOS=0x00 PREC=0x00 TTL=239 ID=54321 PROTO=TCP SPT=51000 DPT=3389 WINDOW=1024 RES=0x00 SYN URGP=0',
      expected: { '@timestamp': '2025-06-01T03:00:00.000Z', 'event.action': 'network_flow_denied', 'event.outcome': 'failure', 'event.category': ['network'], 'source.ip': '198.51.100.9', 'source.port': 51000, 'destination.ip': '10.10.1.1', 'destination.port': 3389, 'network.transport': 'tcp', 'observer.vendor': 'Linux', 'observer.product': 'netfilter', 'host.name': 'gw' },
    },
    {
      name: 'UFW block of an ICMP error: the outer addresses, not the quoted packet',
      reference: 'netfilter LOG target field list; UFW prefixes; ICMP errors quote the inner packet in brackets',
      line: 'Jun  1 11:00:01 gw kernel: [812345.2] [UFW BLOCK] IN=eth0 OUT= MAC=52:54:00:12:34:56:52:54:00:65:43:21:08:00 SRC=192.0.2.1 DST=10.10.1.1 LEN=72 TOS=0x00 PREC=0xC0 TTL=62 ID=11 PROTO=ICMP TYPE=3 CODE=3 [SRC=10.10.1.1 DST=203.0.113.53 LEN=44 TOS=0x00 PREC=0x00 TTL=63 ID=77 PROTO=UDP SPT=40000 DPT=53 LEN=24 ]',
      expected: { '@timestamp': '2025-06-01T03:00:01.000Z', 'event.action': 'network_flow_denied', 'event.outcome': 'failure', 'event.category': ['network'], 'source.ip': '192.0.2.1', 'destination.ip': '10.10.1.1', 'network.transport': 'icmp', 'observer.vendor': 'Linux', 'observer.product': 'netfilter', 'host.name': 'gw' },
    },
    {
      name: 'UFW allow of an outgoing packet',
      reference: 'netfilter LOG target field list; UFW prefixes; ICMP errors quote the inner packet in brackets',
      line: 'Jun  1 11:00:02 gw kernel: [812346.1] [UFW ALLOW] IN= OUT=eth0 SRC=10.10.1.1 DST=203.0.113.53 LEN=60 TOS=0x00 PREC=0x00 TTL=64 ID=4242 DF PROTO=UDP SPT=40000 DPT=53 LEN=40',
      expected: { '@timestamp': '2025-06-01T03:00:02.000Z', 'event.action': 'network_flow_allowed', 'event.outcome': 'success', 'event.category': ['network'], 'source.ip': '10.10.1.1', 'source.port': 40000, 'destination.ip': '203.0.113.53', 'destination.port': 53, 'network.transport': 'udp', 'observer.vendor': 'Linux', 'observer.product': 'netfilter', 'host.name': 'gw' },
    },
  ],
};
export default family;
