import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { ContactsError, loadContacts, parseContacts } from './contacts.js';

describe('the reporting route roster (rules/incidents/contacts.yml)', () => {
  it('reads the shipped roster in the order a report travels: county → city → province', () => {
    const route = parseContacts(readFileSync('rules/incidents/contacts.yml', 'utf8'));
    expect(route.map((c) => c.level)).toEqual(['county', 'city', 'city', 'province']);
    expect(route.map((c) => c.authority)).toEqual(['public_security', 'protection_department', 'cyberspace', 'cyberspace']);
    expect(route.at(-1)).toMatchObject({ phone: '12387' });
  });

  it('sorts a roster written in any order and lists every problem at once', () => {
    const route = parseContacts(`route:
  - { level: province, authority: cyberspace, name: { zh-CN: 省网信办, en: Provincial CAC } }
  - { level: county, authority: public_security, name: { zh-CN: 县公安局, en: County police } }`);
    expect(route.map((c) => c.level)).toEqual(['county', 'province']);
    let error: ContactsError | undefined;
    try {
      parseContacts(`route:\n  - { level: town, authority: mayor, name: 乡政府, fax: '1' }`, 'c.yml');
    } catch (e) {
      error = e as ContactsError;
    }
    expect(error!.issues.map((i) => i.path)).toEqual(['route[0].fax', 'route[0].level', 'route[0].authority', 'route[0].name']);
  });

  it('has no roster, rather than failing, when the file is absent', () => {
    expect(loadContacts(join(tmpdir(), 'no-such-taishi-contacts.yml'))).toEqual([]);
  });
});
