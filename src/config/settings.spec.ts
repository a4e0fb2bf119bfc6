import { ConfigError, loadSettings, organisationNamed } from './settings.js';

describe('loadSettings', () => {
  it('applies defaults', () => {
    const s = loadSettings({});
    expect(s.TAISHI_PORT).toBe(3000);
    expect(s.TAISHI_BODY_LIMIT).toBe(10 * 1024 * 1024);
    expect(s.DATABASE_URL).toBeUndefined();
  });
  it('names the bad variable and the accepted form', () => {
    expect(() => loadSettings({ TAISHI_PORT: 'eighty' })).toThrow(ConfigError);
    expect(() => loadSettings({ TAISHI_PORT: '70000' })).toThrow(/TAISHI_PORT.*an integer 1-65535/);
  });
  it('never echoes a secret in the error', () => {
    expect(() => loadSettings({ TAISHI_ADMIN_PASSWORD: 'short' })).toThrow(/TAISHI_ADMIN_PASSWORD="\(hidden\)"/);
  });
});

describe('retention setting', () => {
  it('refuses less than the six months the Cybersecurity Law requires, unless overridden', () => {
    expect(() => loadSettings({ TAISHI_RETENTION_DAYS: '90' })).toThrow(/TAISHI_RETENTION_DAYS.*at least 184/);
    expect(loadSettings({ TAISHI_RETENTION_DAYS: '90', TAISHI_RETENTION_OVERRIDE: 'true' }).TAISHI_RETENTION_DAYS).toBe(90);
    expect(loadSettings({}).TAISHI_RETENTION_DAYS).toBe(184);
    expect(() => loadSettings({ TAISHI_RETENTION_DAYS: '180' })).toThrow(/at least 184/);
  });

  it('validates syslog ports, allow-lists and time zones', () => {
    expect(loadSettings({ TAISHI_SYSLOG_UDP_PORT: 'off' }).TAISHI_SYSLOG_UDP_PORT).toBe(false);
    expect(() => loadSettings({ TAISHI_SYSLOG_ALLOW: '10.0.0.0/8,banana' })).toThrow(/TAISHI_SYSLOG_ALLOW/);
    expect(loadSettings({ TAISHI_SYSLOG_ALLOW: '10.0.0.0/8, 2001:db8::/32' }).TAISHI_SYSLOG_ALLOW).toEqual(['10.0.0.0/8', '2001:db8::/32']);
    expect(() => loadSettings({ TAISHI_TIME_ZONE: 'Mars/Olympus' })).toThrow(/TAISHI_TIME_ZONE/);
  });
});

describe('e-mail settings', () => {
  it('validates the SMTP sender, TLS mode and digest schedule', () => {
    const s = loadSettings({});
    expect([s.TAISHI_SMTP_HOST, s.TAISHI_SMTP_PORT, s.TAISHI_SMTP_TLS, s.TAISHI_DIGEST_CRON]).toEqual([undefined, 587, 'starttls', '0 8 * * *']);
    expect(loadSettings({ TAISHI_SMTP_FROM: 'soc@city.example.cn' }).TAISHI_SMTP_FROM).toBe('soc@city.example.cn');
    expect(() => loadSettings({ TAISHI_SMTP_FROM: 'Taishi <a@b.cn>\r\nBcc: x@y.cn' })).toThrow(/TAISHI_SMTP_FROM/);
    expect(() => loadSettings({ TAISHI_SMTP_TLS: 'ssl' })).toThrow(/TAISHI_SMTP_TLS.*off, starttls or tls/);
    expect(loadSettings({ TAISHI_DIGEST_CRON: 'off' }).TAISHI_DIGEST_CRON).toBe(false);
    expect(() => loadSettings({ TAISHI_DIGEST_CRON: 'every morning' })).toThrow(/TAISHI_DIGEST_CRON/);
    expect(() => loadSettings({ TAISHI_SMTP_PORT: '0' })).toThrow(/TAISHI_SMTP_PORT/);
  });
});

describe('organisation name', () => {
  it('counts as named only when set to something other than the placeholder', () => {
    expect(organisationNamed(loadSettings({}))).toBe(false);
    expect(organisationNamed(loadSettings({ TAISHI_ORGANISATION_NAME: '本单位' }))).toBe(false);
    expect(organisationNamed(loadSettings({ TAISHI_ORGANISATION_NAME: '某县大数据中心' }))).toBe(true);
  });
});
