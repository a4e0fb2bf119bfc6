import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Localised } from '../../shared/index.js';
import { TableError, isMap, type Issue } from './validation.js';

/**
 * The reporting route as a roster of contacts, county → city → province (rules/incidents/
 * contacts.yml): who receives a report at each level, for the report's header. Local facts,
 * edited by each deployment; the measures say which authority receives the report, the roster
 * says who that is here.
 */
export const ROUTE_LEVELS = ['county', 'city', 'province'] as const;
export type RouteLevel = (typeof ROUTE_LEVELS)[number];
export const AUTHORITIES = ['cyberspace', 'public_security', 'protection_department', 'department_office'] as const;
export type Authority = (typeof AUTHORITIES)[number];

export interface RouteContact {
  level: RouteLevel;
  authority: Authority;
  name: Localised;
  person?: string;
  phone?: string;
  email?: string;
}

export class ContactsError extends TableError {
  constructor(issues: readonly Issue[]) {
    super('reporting contacts', issues);
  }
}

export function parseContacts(text: string, file = 'contacts.yml'): RouteContact[] {
  const issues: Issue[] = [];
  const issue = (path: string, message: string) => issues.push({ file, path, message });
  let raw: unknown;
  try {
    raw = parse(text);
  } catch (e) {
    throw new ContactsError([{ file, path: '(file)', message: `not valid YAML: ${(e as Error).message.split('\n')[0]}` }]);
  }
  const route = isMap(raw) ? raw.route : undefined;
  if (!Array.isArray(route)) throw new ContactsError([{ file, path: 'route', message: 'must be a list of contacts' }]);
  const contacts = route.map((entry: unknown, i: number): RouteContact => {
    const at = `route[${i}]`;
    const e = isMap(entry) ? entry : (issue(at, 'must be a map'), {} as Record<string, unknown>);
    for (const k of Object.keys(e)) if (!['level', 'authority', 'name', 'person', 'phone', 'email'].includes(k)) issue(`${at}.${k}`, 'unknown field');
    if (!(ROUTE_LEVELS as readonly unknown[]).includes(e.level)) issue(`${at}.level`, `must be one of ${ROUTE_LEVELS.join(', ')}`);
    if (!(AUTHORITIES as readonly unknown[]).includes(e.authority)) issue(`${at}.authority`, `must be one of ${AUTHORITIES.join(', ')}`);
    const name = e.name;
    if (!isMap(name) || typeof name['zh-CN'] !== 'string' || typeof name.en !== 'string') issue(`${at}.name`, 'must have zh-CN and en');
    for (const k of ['person', 'phone', 'email']) if (e[k] !== undefined && typeof e[k] !== 'string') issue(`${at}.${k}`, 'must be text');
    return {
      level: e.level as RouteLevel,
      authority: e.authority as Authority,
      name: name as Localised,
      ...(typeof e.person === 'string' ? { person: e.person } : {}),
      ...(typeof e.phone === 'string' ? { phone: e.phone } : {}),
      ...(typeof e.email === 'string' ? { email: e.email } : {}),
    };
  });
  if (issues.length > 0) throw new ContactsError(issues);
  // County first, then city, then province: the order a report travels.
  return contacts.sort((a, b) => ROUTE_LEVELS.indexOf(a.level) - ROUTE_LEVELS.indexOf(b.level));
}

/** No file, no roster: the report header then names the authorities without contacts. */
export function loadContacts(path: string): RouteContact[] {
  return existsSync(path) ? parseContacts(readFileSync(path, 'utf8'), path) : [];
}
