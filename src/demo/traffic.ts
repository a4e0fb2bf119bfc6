import { CAMERAS, WATER_DEVICES, type DemoDevice } from './city.js';
import { accessLogTime, Chance, dateAndTime, hashOf, HOUR, isoLocal, localHour, localMidnight, MINUTE } from './clock.js';

/** One generated log record: a line a host wrote, or a JSON record a device sent. */
export interface DemoRecord {
  at: number;
  /** The sending host, as a log shipper names it; enrichment finds the asset by it. */
  host: string;
  line?: string;
  json?: Record<string, unknown>;
}

/**
 * What goes over the wire: device JSON as the device sent it, log lines in the envelope a
 * Filebeat-style shipper puts around them, naming the host that wrote them.
 */
export function shipped(record: DemoRecord): Record<string, unknown> {
  return record.json ?? { '@timestamp': new Date(record.at).toISOString(), message: record.line, host: { name: record.host } };
}

/** A device that stopped reporting at `since` stays quiet in everything generated after it. */
export interface Silence {
  device: string;
  since: number;
}

// Address blocks of mainland broadband and mobile operators, for the citizens using the portal.
const CITIZEN_NETWORKS = ['117.136', '223.104', '112.17', '36.27', '183.156', '115.196', '60.186', '122.224'];
const BROWSERS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.49',
  'Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/118.0.0.0 Mobile Safari/537.36 MicroMessenger/8.0.48',
  'Mozilla/5.0 (Windows NT 10.0; WOW64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/86.0.4240.198 Safari/537.36 QIHU 360SE',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15',
];
// 社保, 公积金, 不动产登记, 营业执照, 医保, 户口迁移
const SEARCHES = ['%E7%A4%BE%E4%BF%9D', '%E5%85%AC%E7%A7%AF%E9%87%91', '%E4%B8%8D%E5%8A%A8%E4%BA%A7%E7%99%BB%E8%AE%B0', '%E8%90%A5%E4%B8%9A%E6%89%A7%E7%85%A7', '%E5%8C%BB%E4%BF%9D', '%E6%88%B7%E5%8F%A3%E8%BF%81%E7%A7%BB'];

/** Share of the busiest hour's traffic at each hour of the day: offices open 8:30–17:30. */
const DAY_SHAPE = [0.06, 0.04, 0.03, 0.03, 0.04, 0.08, 0.15, 0.35, 0.75, 1, 1, 0.9, 0.55, 0.6, 0.95, 1, 0.9, 0.7, 0.5, 0.45, 0.4, 0.3, 0.18, 0.1];

export function accessLine(ip: string, at: number, method: string, path: string, status: number, bytes: number, agent: string, referrer = '-'): string {
  return `${ip} - - [${accessLogTime(at)}] "${method} ${path} HTTP/1.1" ${status} ${bytes} "${referrer}" "${agent}"`;
}

export function syslogLine(host: string, at: number, app: string, message: string, facility = 86): string {
  return `<${facility}>1 ${isoLocal(at)} ${host} ${app} ${1000 + (hashOf(`${host}${at}`) % 60000)} - - ${message}`;
}

export function firewallLine(at: number, fields: { src: string; sport: number; dst: string; dport: number; action: 'deny' | 'accept' }): string {
  const [date, time] = dateAndTime(at);
  return `<189>date=${date} time=${time} devname="fw-border01" tz="+0800" type="traffic" subtype="forward" srcip=${fields.src} srcport=${fields.sport} srcintf="wan1" dstip=${fields.dst} dstport=${fields.dport} dstintf="dmz" proto=6 action="${fields.action}" policyid=${fields.action === 'deny' ? 99 : 12}`;
}

/** A record of telemetry as the device sends it: its id, epoch milliseconds and readings. */
export function telemetry(device: DemoDevice, at: number, chance: Chance, override: Record<string, number> = {}): DemoRecord {
  const readings = Object.fromEntries(Object.entries(device.readings).map(([name, r]) => [name, chance.around(r.base, r.spread, r.digits)]));
  return { at, host: device.id, json: { device_id: device.id, ts: at, ...readings, ...override } };
}

interface RandomStream {
  name: string;
  /** Events per minute in the busiest hour. */
  peakPerMinute: number;
  flat?: boolean;
  make(at: number, chance: Chance): DemoRecord;
}

const STREAMS: RandomStream[] = [
  {
    name: 'portal',
    peakPerMinute: 4,
    make(at, c) {
      const ip = `${c.pick(CITIZEN_NETWORKS)}.${c.int(1, 254)}.${c.int(1, 254)}`;
      const agent = c.pick(BROWSERS);
      const page = c.pick([
        ['GET', '/', 200, c.int(17_000, 19_000)],
        ['GET', '/static/css/main.css', 304, 0],
        ['GET', '/static/js/app.js', 200, c.int(88_000, 90_000)],
        ['GET', `/bsdt/list?dept=${c.int(1, 40)}&page=${c.int(1, 5)}`, 200, c.int(9_000, 14_000)],
        ['GET', `/bsdt/detail?id=${c.int(1000, 4999)}`, 200, c.int(6_000, 12_000)],
        ['GET', `/search?q=${c.pick(SEARCHES)}`, 200, c.int(5_000, 9_000)],
        ['GET', '/xxgk/tzgg/index.html', 200, c.int(12_000, 16_000)],
        ['POST', '/api/auth/login', 200, c.int(300, 500)],
        ['GET', `/bsdt/detail?id=${c.int(9000, 9999)}`, 404, 153],
      ] as const);
      return { at, host: 'zwfw-portal01', line: accessLine(ip, at, page[0], page[1], page[2], page[3], agent, page[0] === 'POST' ? 'https://zwfw.example.cn/login' : '-') };
    },
  },
  {
    name: 'health-platform',
    peakPerMinute: 0.6,
    make(at, c) {
      const ip = `10.40.${c.int(3, 9)}.${c.int(10, 200)}`;
      const path = c.pick(['/ehr/index', `/api/ehr/summary?patient=P${c.int(10_000_000, 99_999_999)}`, `/api/lab/report?order=L${c.int(100_000, 999_999)}`, '/static/app.js']);
      return { at, host: 'health-platform01', line: accessLine(ip, at, 'GET', path, 200, c.int(800, 24_000), BROWSERS[0]) };
    },
  },
  {
    name: 'share-api',
    peakPerMinute: 0.4,
    make(at, c) {
      const client = c.pick(['10.10.1.10', '10.40.1.10', '10.20.1.5']);
      const path = c.pick([
        `/api/v2/share/license/verify?code=91339900MA2${c.int(100_000, 999_999)}X`,
        `/api/v2/share/certificate/status?no=ZJ${c.int(2020, 2026)}${c.int(100_000, 999_999)}`,
        `/api/v2/share/enterprise/basic?uscc=91339900MA2${c.int(100_000, 999_999)}Y`,
      ]);
      return { at, host: 'share-api01', line: accessLine(client, at, 'GET', path, 200, c.int(300, 900), 'Apache-HttpClient/4.5.13 (Java/1.8.0_301)') };
    },
  },
  {
    name: 'firewall',
    peakPerMinute: 0.25,
    flat: true,
    make(at, c) {
      const line = firewallLine(at, { src: `${c.pick(['198.51.100', '203.0.113'])}.${c.int(1, 254)}`, sport: c.int(30_000, 65_000), dst: '10.60.0.1', dport: c.pick([23, 445, 1433, 3389, 5900, 6379, 8080]), action: 'deny' });
      return { at, host: 'fw-border01', line };
    },
  },
];

/** Lines some hosts write at set times of day: backups every hour, engineers' logins. */
function scheduled(from: number, to: number): DemoRecord[] {
  const out: DemoRecord[] = [];
  for (let midnight = localMidnight(from); midnight <= to; midnight += 24 * HOUR) {
    for (let h = 0; h < 24; h++) {
      const at = midnight + h * HOUR + 7_000;
      out.push({ at, host: 'scada-ews01', line: syslogLine('scada-ews01', at, 'CRON', '(root) CMD (/opt/scada/bin/historian-backup.sh)', 78) });
    }
    const logins: [number, string, string, string][] = [
      [8 * HOUR + 35 * MINUTE, 'scada-ews01', 'engineer', '10.30.9.12'],
      [14 * HOUR + 10 * MINUTE, 'scada-ews01', 'engineer', '10.30.9.12'],
      [9 * HOUR + 20 * MINUTE, 'his-app01', 'hisops', '10.60.1.22'],
      [16 * HOUR + 45 * MINUTE, 'his-app01', 'hisops', '10.60.1.22'],
    ];
    for (const [offset, host, user, from] of logins) {
      const at = midnight + offset;
      out.push({ at, host, line: syslogLine(host, at, 'sshd', `Accepted publickey for ${user} from ${from} port ${40_000 + (hashOf(`${host}${at}`) % 20_000)} ssh2: ED25519 SHA256:q7Xb1yJ0demo`) });
    }
  }
  return out.filter((r) => r.at > from && r.at <= to);
}

/** Every device reports on its own fixed beat; `silence` stops one of them. */
function deviceTelemetry(from: number, to: number, silence?: Silence): DemoRecord[] {
  const out: DemoRecord[] = [];
  for (const device of [...WATER_DEVICES, ...CAMERAS]) {
    const period = device.periodMinutes * MINUTE;
    const phase = hashOf(device.id) % period;
    const end = silence?.device === device.id ? Math.min(to, silence.since) : to;
    for (let k = Math.floor((from - phase) / period) + 1; k * period + phase <= end; k++) {
      const at = k * period + phase;
      if (at > from) out.push(telemetry(device, at, new Chance(hashOf(device.id) ^ k)));
    }
  }
  return out;
}

/**
 * The city's everyday traffic in (from, to]: citizens on the portal, clinics on the health
 * platform, departments calling the data-sharing interface, Internet noise at the firewall,
 * device telemetry and routine logins. Each minute of each stream is drawn from its own seed, so
 * the same minute always holds the same events however the span is cut: the live feed continues
 * exactly where the load stopped, and a second load of a span adds nothing new.
 */
export function background(from: number, to: number, silence?: Silence): DemoRecord[] {
  const out: DemoRecord[] = [...deviceTelemetry(from, to, silence), ...scheduled(from, to)];
  for (let minute = Math.floor(from / MINUTE) * MINUTE; minute <= to; minute += MINUTE) {
    const shape = DAY_SHAPE[localHour(minute)];
    for (const stream of STREAMS) {
      const chance = new Chance(hashOf(stream.name) ^ (minute / MINUTE));
      const n = chance.count(stream.peakPerMinute * (stream.flat ? 1 : shape));
      for (let i = 0; i < n; i++) {
        const at = minute + Math.floor(chance.next() * MINUTE);
        const record = stream.make(at, chance);
        if (at > from && at <= to) out.push(record);
      }
    }
  }
  return out;
}
