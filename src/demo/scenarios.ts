import { residentIdCheckChar } from '../classification/index.js';
import { CAMERAS } from './city.js';
import { Chance, HOUR, MINUTE } from './clock.js';
import { accessLine, firewallLine, syslogLine, telemetry, type DemoRecord } from './traffic.js';

/**
 * The attacks the demo city suffers, written for the shipped rule pack: each one is built so the
 * rules in rules/detection fire on it the way they would on the real thing.
 */

const NUCLEI = 'Mozilla/5.0 (compatible; Nuclei - Open-source project (github.com/projectdiscovery/nuclei))';
const SQLMAP = 'sqlmap/1.8.4#stable (https://sqlmap.org)';
const ANTSWORD = 'antSword/v2.1';
const PYTHON = 'python-requests/2.31.0';

/** A resident id that passes the GB 11643 check, from a region code no real county uses. */
export function residentId(c: Chance): string {
  const birth = `${c.int(1950, 2004)}${String(c.int(1, 12)).padStart(2, '0')}${String(c.int(1, 28)).padStart(2, '0')}`;
  const first17 = `339921${birth}${String(c.int(0, 999)).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

export function mobileNumber(c: Chance): string {
  return `1${c.pick(['38', '39', '58', '59', '87', '88', '35', '36', '50', '51', '82', '89', '86', '55', '33', '77', '80', '81'])}${String(c.int(0, 99_999_999)).padStart(8, '0')}`;
}

/** Ports a scanner tries first, one probe each. */
const SCAN_PORTS = [21, 22, 23, 25, 53, 80, 110, 135, 139, 143, 443, 445, 1433, 1521, 2375, 3306, 3389, 5432, 5900, 6379, 7001, 8080, 8443, 9200, 11211];
const PROBES = [
  '/admin/', '/manager/html', '/phpmyadmin/', '/pma/', '/.env', '/.git/config', '/.svn/entries', '/www.zip', '/wwwroot.rar', '/backup.sql', '/web.rar',
  '/WEB-INF/web.xml', '/config.php.bak', '/actuator/env', '/api/swagger-ui.html', '/druid/index.html', '/solr/admin/', '/console/login/LoginForm.jsp',
  '/nacos/', '/jeecg-boot/', '/seeyon/htmlofficeservlet', '/weaver/bsh.servlet.BshServlet', '/uploads/', '/install.php', '/server-status', '/.DS_Store',
  '/index.php.swp', '/db.sql.gz', '/login.action', '/struts2-showcase/', '/cgi-bin/test.cgi', '/vendor/phpunit/phpunit/src/Util/PHP/eval-stdin.php',
  '/ueditor/net/controller.ashx', '/kindeditor/php/upload_json.php', '/wp-login.php', '/xmlrpc.php',
];

/** An attacker abroad scans the border firewall, then works the portal until a web shell answers. */
function webAttack(t: number, c: Chance): DemoRecord[] {
  const attacker = '203.0.113.77';
  const out: DemoRecord[] = [];
  const portal = (at: number, method: string, path: string, status: number, bytes: number, agent: string) =>
    out.push({ at, host: 'zwfw-portal01', line: accessLine(attacker, at, method, path, status, bytes, agent) });
  const scanAt = t - 6 * HOUR - 40 * MINUTE;
  SCAN_PORTS.forEach((port, i) =>
    out.push({ at: scanAt + i * 700, host: 'fw-border01', line: firewallLine(scanAt + i * 700, { src: attacker, sport: 40_000 + i, dst: '10.10.1.10', dport: port, action: port === 80 || port === 443 ? 'accept' : 'deny' }) }),
  );
  const probeAt = t - 6 * HOUR - 20 * MINUTE;
  PROBES.forEach((path, i) => portal(probeAt + i * 3_000, 'GET', path, path === '/uploads/' ? 403 : 404, 153, NUCLEI));
  const sqlAt = t - 6 * HOUR - 5 * MINUTE;
  [
    '/bsdt/list?dept=12%27%20AND%201=1--%20-',
    '/bsdt/list?dept=12%27%20OR%20%271%27=%271',
    '/bsdt/list?dept=12%20UNION%20ALL%20SELECT%20NULL,NULL,NULL--%20-',
    '/bsdt/list?dept=12%20UNION%20ALL%20SELECT%20table_name,NULL,NULL%20FROM%20information_schema.tables--%20-',
    '/bsdt/list?dept=12%20AND%20SLEEP(5)',
    '/bsdt/detail?id=1024%20AND%20extractvalue(1,concat(0x7e,version()))',
    '/bsdt/detail?id=1024%20AND%20updatexml(1,concat(0x7e,user()),1)',
    '/search?q=1%27%20union%20select%20username,password%20from%20sys_user--',
  ].forEach((path, i) => portal(sqlAt + i * 20_000, 'GET', path, i % 3 === 2 ? 500 : 200, 4_000 + i * 37, SQLMAP));
  const traversalAt = t - 5 * HOUR - 58 * MINUTE;
  portal(traversalAt, 'GET', '/download?file=../../../../etc/passwd', 200, 1_842, 'curl/8.5.0');
  portal(traversalAt + 9_000, 'GET', '/download?file=..%2f..%2f..%2fWEB-INF%2fweb.xml', 200, 3_310, 'curl/8.5.0');
  const shellAt = t - 5 * HOUR - 50 * MINUTE;
  const shell = `/uploads/image/${c.int(1_700_000_000, 1_799_999_999)}.php`;
  portal(shellAt, 'POST', '/ueditor/php/controller.php?action=uploadimage', 200, 212, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)');
  portal(shellAt + 20_000, 'GET', shell, 200, 18, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)');
  portal(shellAt + 45_000, 'GET', `${shell}?cmd=whoami`, 200, 31, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)');
  portal(shellAt + 70_000, 'GET', `${shell}?cmd=cat%20/etc/passwd`, 200, 1_842, 'Mozilla/5.0 (Windows NT 10.0; Win64; x64)');
  for (let i = 0; i < 5; i++) portal(shellAt + 2 * MINUTE + i * 2 * MINUTE, 'POST', shell, 200, c.int(200, 40_000), ANTSWORD);
  return out;
}

/**
 * A contractor's workstation uses the data-sharing interface to look up residents one by one and
 * then export them in bulk; the interface's debug log writes identifiers in the clear. The
 * interface is registered as holding no personal data, so classification flags the drift.
 */
function dataLeak(t: number, c: Chance): DemoRecord[] {
  const client = '10.10.8.66';
  const out: DemoRecord[] = [];
  const start = t - 4 * HOUR - 10 * MINUTE;
  for (let i = 0; i < 40; i++) {
    const at = start + i * 15_000;
    out.push({ at, host: 'share-api01', line: accessLine(client, at, 'GET', `/api/v2/share/resident/query?idcard=${residentId(c)}&mobile=${mobileNumber(c)}`, 200, c.int(1_500, 3_000), PYTHON) });
  }
  const exportAt = start + 12 * MINUTE;
  for (let batch = 1; batch <= 12; batch++) {
    const at = exportAt + (batch - 1) * 3 * MINUTE;
    out.push({ at, host: 'share-api01', line: accessLine(client, at, 'GET', `/api/v2/share/resident/export?batch=${batch}&fields=xm,sfzh,sjhm,zz`, 200, c.int(46_000_000, 56_000_000), PYTHON) });
    if (batch % 4 === 1)
      out.push({
        at: at + 1_000,
        host: 'share-api01',
        line: syslogLine('share-api01', at + 1_000, 'share-api', `DEBUG export batch=${batch} operator=wx_contractor02 client=${client} rows=50000 first_row=[张*, ${residentId(c)}, ${mobileNumber(c)}]`, 135),
      });
  }
  return out;
}

/** Password guessing against the water plant's SCADA station from abroad, until one works. */
function scadaBruteForce(t: number, c: Chance): DemoRecord[] {
  const attacker = '198.51.100.23';
  const host = 'scada-ews01';
  const out: DemoRecord[] = [];
  const start = t - 3 * HOUR - 5 * MINUTE;
  const users = ['root', 'admin', 'operator', 'scada', 'engineer', 'test'];
  for (let i = 0; i < 36; i++) {
    const at = start + i * 5_000;
    out.push({ at, host, line: syslogLine(host, at, 'sshd', `Failed password for ${users[i % users.length]} from ${attacker} port ${c.int(30_000, 60_000)} ssh2`) });
  }
  const inAt = start + 4 * MINUTE;
  out.push({ at: inAt, host, line: syslogLine(host, inAt, 'sshd', `Accepted password for operator from ${attacker} port ${c.int(30_000, 60_000)} ssh2`) });
  out.push({ at: inAt + 1_000, host, line: syslogLine(host, inAt + 1_000, 'sshd', 'pam_unix(sshd:session): session opened for user operator(uid=1001) by (uid=0)') });
  out.push({ at: inAt + 60_000, host, line: syslogLine(host, inAt + 60_000, 'sudo', 'operator : TTY=pts/0 ; PWD=/home/operator ; USER=root ; COMMAND=/bin/bash', 85) });
  return out;
}

/** A roadside camera cabinet overheating in the afternoon sun. */
function cameraOverheat(t: number, c: Chance): DemoRecord[] {
  return [telemetry(CAMERAS[2], t - 7 * HOUR + 90_000, c, { temperature: 88.6 })];
}

/** Every project-written attack of a full load, timed back from `t`. */
export function attackScenarios(t: number, seed = 1): DemoRecord[] {
  const c = new Chance(seed);
  return [...webAttack(t, c), ...dataLeak(t, c), ...scadaBruteForce(t, c), ...cameraOverheat(t, c)];
}

/**
 * One short attack for the live feed, chosen by `n` in turn: a scanner, an SSH burst, an SQL
 * injection, an overheating camera, a port scan; each from a fresh address.
 */
export function liveAttack(t: number, n: number): DemoRecord[] {
  const c = new Chance(n * 7919 + 17);
  const ip = `${c.pick(['198.51.100', '203.0.113'])}.${c.int(2, 250)}`;
  switch (n % 5) {
    case 0:
      return PROBES.slice(0, 8).map((path, i) => ({ at: t + i * 500, host: 'zwfw-portal01', line: accessLine(ip, t + i * 500, 'GET', path, 404, 153, NUCLEI) }));
    case 1:
      return Array.from({ length: 12 }, (_, i) => ({
        at: t + i * 1_500,
        host: 'LabSZ',
        line: syslogLine('LabSZ', t + i * 1_500, 'sshd', `Failed password for invalid user ${c.pick(['oracle', 'test', 'ubuntu', 'git', 'postgres'])} from ${ip} port ${c.int(30_000, 60_000)} ssh2`),
      }));
    case 2:
      return [{ at: t, host: 'zwfw-portal01', line: accessLine(ip, t, 'GET', '/bsdt/list?dept=3%27%20UNION%20SELECT%20NULL,version(),NULL--', 200, 4_211, SQLMAP) }];
    case 3:
      return [telemetry(c.pick(CAMERAS), t, c, { temperature: c.around(89, 2, 1) })];
    default:
      return SCAN_PORTS.map((port, i) => ({ at: t + i * 300, host: 'fw-border01', line: firewallLine(t + i * 300, { src: ip, sport: 50_000 + i, dst: '10.60.0.1', dport: port, action: 'deny' }) }));
  }
}
