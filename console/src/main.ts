import { h, replace } from './core/dom.js';
import { language, setLanguage, t, tv, type Language } from './core/i18n.js';
import { currentRoute, href, navigate, onRouteChange, replaceParams } from './core/router.js';
import { can, login, logout, onSessionEnd, resume, updateMe, user } from './core/session.js';
import { COMMON_TIME_ZONES, timeZone } from './core/time.js';
import { button, dialog, emptyState, errorBox, errorText, field, input, loading, pageHeader, select, toast } from './core/ui.js';
import { PAGES } from './pages/index.js';
import type { PageContext, PageEntry } from './pages/page.js';

const app = document.getElementById('app')!;
let disposers: (() => void)[] = [];
let renderToken = 0;

function disposePage(): void {
  for (const d of disposers.splice(0)) d();
}

function allowedPages(): PageEntry[] {
  return PAGES.filter((p) => can(p.roles));
}

// ---- login ---------------------------------------------------------------------------------

function languageSwitch(after: () => void): HTMLButtonElement {
  const other: Language = language() === 'zh-CN' ? 'en' : 'zh-CN';
  return h('button', { type: 'button', class: 'btn btn-link lang-switch', lang: other, onclick: after }, t('shell.switchLanguage'));
}

function showLogin(notice?: 'expired' | 'logout'): void {
  disposePage();
  document.title = `${t('login.title')} · ${t('shell.product')}`;
  const username = input({ name: 'username', required: true, autocomplete: 'username' });
  const password = input({ name: 'password', type: 'password', required: true, autocomplete: 'current-password' });
  const status = h('div', { class: 'login-status' });
  if (notice === 'expired') replace(status, h('div', { class: 'notice notice-warn', role: 'alert' }, t('login.expired')));
  if (notice === 'logout') replace(status, h('div', { class: 'notice', role: 'status' }, t('login.loggedOut')));
  const submit = button(t('login.submit'), () => undefined, { kind: 'primary', type: 'submit' });
  const form = h('form', { class: 'login-form', 'aria-labelledby': 'login-title' }, field(t('login.username'), username), field(t('login.password'), password), submit);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    submit.disabled = true;
    replace(status);
    try {
      await login(username.value.trim(), password.value);
      showShell();
    } catch (error) {
      replace(status, h('div', { class: 'notice notice-error', role: 'alert' }, errorText(error)));
      password.value = '';
      password.focus();
    } finally {
      submit.disabled = false;
    }
  });
  replace(
    app,
    h(
      'main',
      { class: 'login', id: 'main' },
      h(
        'div',
        { class: 'login-box' },
        h('div', { class: 'login-top' }, h('p', { class: 'brand' }, t('shell.product')), languageSwitch(() => {
          setLanguage(language() === 'zh-CN' ? 'en' : 'zh-CN');
          showLogin(notice);
        })),
        h('h1', { id: 'login-title' }, t('login.title')),
        h('p', { class: 'login-lead' }, t('login.lead')),
        status,
        form,
      ),
    ),
  );
  username.focus();
}

// ---- shell ---------------------------------------------------------------------------------

function navigation(activePath: string): HTMLElement {
  const link = (p: PageEntry) => h('li', null, h('a', { href: href(p.path), 'aria-current': p.path === activePath ? 'page' : undefined }, t(p.title)));
  const main = allowedPages().filter((p) => p.group === 'main');
  const admin = allowedPages().filter((p) => p.group === 'admin');
  return h(
    'nav',
    { class: 'sidebar', 'aria-label': t('shell.navigation') },
    h('ul', null, ...main.map(link)),
    admin.length ? h('p', { class: 'nav-group', id: 'nav-admin' }, t('nav.adminGroup')) : null,
    admin.length ? h('ul', { 'aria-labelledby': 'nav-admin' }, ...admin.map(link)) : null,
  );
}

function preferences(): void {
  const me = user();
  const zones = [...new Set([timeZone(), ...COMMON_TIME_ZONES])];
  const lang = select(['zh-CN', 'en'].map((l) => ({ value: l, label: tv('languageName', l) })), me.language, { name: 'language' });
  const zone = select(zones.map((z) => ({ value: z, label: z })), timeZone(), { name: 'timeZone' });
  const displayName = input({ name: 'displayName', value: me.displayName });
  const current = input({ name: 'currentPassword', type: 'password', autocomplete: 'current-password' });
  const next = input({ name: 'newPassword', type: 'password', autocomplete: 'new-password', min: '12' });
  next.minLength = 12;
  dialog({
    title: t('prefs.title'),
    body: [
      field(t('prefs.language'), lang),
      field(t('prefs.timeZone'), zone, t('prefs.timeZoneHint')),
      field(t('prefs.displayName'), displayName),
      h('fieldset', null, h('legend', null, t('prefs.password')), field(t('prefs.currentPassword'), current), field(t('prefs.newPassword'), next, t('prefs.newPasswordHint'))),
    ],
    onSubmit: async () => {
      await updateMe({
        language: lang.value as Language,
        timeZone: zone.value === 'Asia/Shanghai' ? null : zone.value,
        displayName: displayName.value.trim() || undefined,
        ...(next.value ? { currentPassword: current.value, newPassword: next.value } : {}),
      });
      if (!next.value) {
        showShell();
        toast(t('prefs.saved'));
      }
    },
  });
}

function topbar(): HTMLElement {
  const me = user();
  const who = `${me.displayName || me.username} · ${tv('role', me.role)}${me.department ? ` · ${me.department}` : ''}`;
  return h(
    'header',
    { class: 'topbar' },
    h('button', { type: 'button', class: 'skip-link', onclick: () => document.getElementById('main')?.focus() }, t('shell.skipToContent')),
    h('a', { class: 'brand', href: href('/situation') }, t('shell.product')),
    h(
      'div',
      { class: 'user-menu' },
      h('span', { class: 'who' }, who),
      languageSwitch(async () => {
        try {
          await updateMe({ language: language() === 'zh-CN' ? 'en' : 'zh-CN' });
          showShell();
        } catch (error) {
          toast(errorText(error), 'error');
        }
      }),
      button(t('shell.preferences'), preferences, { kind: 'link' }),
      button(t('shell.logout'), () => void logout(), { kind: 'link' }),
    ),
  );
}

function showShell(): void {
  replace(app, topbar(), h('div', { class: 'layout' }, h('div', { id: 'nav-slot' }), h('main', { id: 'main', tabindex: -1 })));
  void renderRoute();
}

async function renderRoute(): Promise<void> {
  const token = ++renderToken;
  disposePage();
  const route = currentRoute();
  if (route.path === '/' || route.path === '') {
    const first = allowedPages()[0];
    if (first) navigate(first.path);
    return;
  }
  const main = document.getElementById('main');
  if (!main) return;
  replace(document.getElementById('nav-slot')!, navigation(route.path));
  const page = PAGES.find((p) => p.path === route.path);
  if (!page) {
    document.title = t('shell.product');
    replace(main, pageHeader(t('shell.notFound')), emptyState(t('shell.notFound'), t('shell.notFoundNext'), h('a', { href: href('/situation') }, t('nav.situation'))));
    return;
  }
  document.title = `${t(page.title)} · ${t('shell.product')}`;
  if (!can(page.roles)) {
    replace(main, pageHeader(t(page.title)), emptyState(t('shell.forbidden'), t('shell.forbiddenNext')));
    return;
  }
  replace(main, loading());
  const root = h('div', { class: 'page' });
  const ctx: PageContext = {
    root,
    params: route.params,
    setParams: (params) => replaceParams(params),
    onDispose: (fn) => disposers.push(fn),
  };
  try {
    const module = await page.load();
    if (token !== renderToken) return;
    await module.render(ctx);
    if (token !== renderToken) return;
    replace(main, root);
    (main.querySelector('h1') as HTMLElement | null)?.focus();
  } catch (error) {
    if (token === renderToken) replace(main, errorBox(error));
  }
}

onRouteChange(() => {
  if (document.getElementById('nav-slot')) void renderRoute();
});
onSessionEnd((reason) => showLogin(reason));

async function start(): Promise<void> {
  setLanguage(language());
  replace(app, loading());
  const { user: me, expired } = await resume();
  if (me) showShell();
  else showLogin(expired ? 'expired' : undefined);
}

void start();
