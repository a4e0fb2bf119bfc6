import { ConfigError, loadSettings } from './settings.js';

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
