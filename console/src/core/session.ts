import { api, onUnauthorized } from './api.js';
import { setLanguage, type Language } from './i18n.js';
import { setTimeZone } from './time.js';
import { ROLES } from './vocabulary.js';

export type Role = (typeof ROLES)[number];
export const ALL_ROLES: readonly Role[] = ROLES;

export interface Me {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  role: Role;
  department: string | null;
  language: Language;
  timeZone: string | null;
  sessionExpiresAt: string;
}

let me: Me | undefined;
let expiryTimer: number | undefined;
const HAD_SESSION = 'taishi.hadSession';
type Listener = (reason: 'expired' | 'logout') => void;
const endListeners: Listener[] = [];

export function user(): Me {
  if (!me) throw new Error('not logged in');
  return me;
}

export function can(roles: readonly Role[]): boolean {
  return !!me && roles.includes(me.role);
}

/** Called when the session ends, by expiry or by logging out; the shell shows the login page. */
export function onSessionEnd(listener: Listener): void {
  endListeners.push(listener);
}

function end(reason: 'expired' | 'logout'): void {
  if (!me && reason === 'expired') return;
  me = undefined;
  window.clearTimeout(expiryTimer);
  // After an expiry the mark stays, so a reload of the login page still says why it is there.
  if (reason === 'logout') localStorage.removeItem(HAD_SESSION);
  for (const l of endListeners) l(reason);
}

onUnauthorized(() => end('expired'));

function adopt(user: Me): Me {
  me = user;
  setLanguage(user.language);
  setTimeZone(user.timeZone);
  localStorage.setItem(HAD_SESSION, '1');
  window.clearTimeout(expiryTimer);
  // setTimeout holds at most about 24.8 days; sessions are far shorter.
  const remaining = Math.min(Date.parse(user.sessionExpiresAt) - Date.now(), 2 ** 31 - 1);
  expiryTimer = window.setTimeout(() => end('expired'), Math.max(0, remaining));
  return user;
}

/** The session the browser already has, if any. */
export async function resume(): Promise<{ user?: Me; expired: boolean }> {
  try {
    return { user: adopt(await api<Me>('GET', '/api/auth/me')), expired: false };
  } catch {
    // A browser that was logged in and now is not: its session ran out while it was away.
    const expired = localStorage.getItem(HAD_SESSION) === '1';
    localStorage.removeItem(HAD_SESSION);
    return { expired };
  }
}

export async function login(username: string, password: string): Promise<Me> {
  await api('POST', '/api/auth/login', { body: { username, password, cookie: true } });
  return adopt(await api<Me>('GET', '/api/auth/me'));
}

export async function logout(): Promise<void> {
  await api('POST', '/api/auth/logout').catch(() => undefined);
  end('logout');
}

/** Saves the user's own preferences and applies them at once. */
export async function updateMe(change: { language?: Language; timeZone?: string | null; displayName?: string; currentPassword?: string; newPassword?: string }): Promise<void> {
  const updated = await api<Omit<Me, 'sessionExpiresAt'>>('PATCH', '/api/auth/me', { body: change });
  if (change.newPassword) {
    // Changing the password ends every session, this one included.
    end('expired');
    return;
  }
  adopt({ ...updated, sessionExpiresAt: user().sessionExpiresAt });
}
