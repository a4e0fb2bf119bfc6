import { ALL_ROLES } from '../core/session.js';
import type { PageEntry } from './page.js';

/**
 * Every page of the console, in navigation order. Adding a page: write pages/<name>.ts exporting
 * `render(ctx)`, add its strings to i18n/zh-CN.ts and i18n/en.ts, and add one entry here with
 * the roles that may open it (the API decides the same on every call; this only hides the way).
 */
export const PAGES: PageEntry[] = [
  { path: '/situation', title: 'nav.situation', roles: ALL_ROLES, group: 'main', load: () => import('./situation.js') },
  { path: '/alerts', title: 'nav.alerts', roles: ALL_ROLES, group: 'main', load: () => import('./alerts.js') },
  { path: '/incidents', title: 'nav.incidents', roles: ALL_ROLES, group: 'main', load: () => import('./incidents.js') },
  { path: '/events', title: 'nav.events', roles: ALL_ROLES, group: 'main', load: () => import('./events.js') },
  { path: '/assets', title: 'nav.assets', roles: ALL_ROLES, group: 'main', load: () => import('./assets.js') },
  { path: '/compliance', title: 'nav.compliance', roles: ALL_ROLES, group: 'main', load: () => import('./compliance.js') },
  { path: '/rules', title: 'nav.rules', roles: ['admin', 'analyst', 'compliance'], group: 'main', load: () => import('./rules.js') },
  { path: '/admin/users', title: 'nav.users', roles: ['admin'], group: 'admin', load: () => import('./admin-users.js') },
  { path: '/admin/departments', title: 'nav.departments', roles: ['admin'], group: 'admin', load: () => import('./admin-departments.js') },
  { path: '/admin/api-keys', title: 'nav.apiKeys', roles: ['admin'], group: 'admin', load: () => import('./admin-api-keys.js') },
  { path: '/admin/notifications', title: 'nav.notifications', roles: ALL_ROLES, group: 'admin', load: () => import('./admin-notifications.js') },
  { path: '/admin/audit', title: 'nav.audit', roles: ['admin', 'compliance'], group: 'admin', load: () => import('./admin-audit.js') },
];
