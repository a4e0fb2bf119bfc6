import { api } from '../core/api.js';
import { departmentSelect } from '../core/departments.js';
import { h, replace } from '../core/dom.js';
import { t, tv } from '../core/i18n.js';
import { user as me } from '../core/session.js';
import { formatDateTime } from '../core/time.js';
import { ROLES } from '../core/vocabulary.js';
import { button, checkbox, confirmDialog, dialog, emptyState, errorBox, field, input, loading, pageHeader, select, table, toast, vocabulary } from '../core/ui.js';
import type { PageContext } from './page.js';

interface UserRow {
  id: string;
  username: string;
  displayName: string;
  email: string | null;
  role: string;
  department: string | null;
  language: 'zh-CN' | 'en';
  disabled: boolean;
  lockedUntil: string | null;
  createdAt: string;
}

const LANGUAGES = [
  { value: 'zh-CN', label: '简体中文' },
  { value: 'en', label: 'English' },
];

function userForm(existing: UserRow | undefined, after: () => void): void {
  const username = input({ name: 'username', value: existing?.username, required: true, disabled: !!existing });
  const displayName = input({ name: 'displayName', value: existing?.displayName });
  const email = input({ name: 'email', type: 'email', value: existing?.email ?? undefined });
  const role = select(vocabulary('role', ROLES), existing?.role ?? 'analyst', { name: 'role' });
  const department = departmentSelect(existing?.department ?? undefined, { name: 'department' });
  const language = select(LANGUAGES, existing?.language ?? 'zh-CN', { name: 'language' });
  const password = input({ name: 'password', type: 'password', required: true, autocomplete: 'new-password' });
  password.minLength = 12;
  const disabled = checkbox(existing?.disabled ?? false, 'disabled');
  const departmentField = field(t('users.department'), department, t('users.departmentHint'));
  const syncDepartment = () => (department.required = role.value === 'owner');
  role.addEventListener('change', syncDepartment);
  syncDepartment();
  dialog({
    title: existing ? t('users.editTitle', { username: existing.username }) : t('users.createTitle'),
    body: [
      field(t('users.username'), username, existing ? undefined : t('users.usernameHint')),
      field(t('users.displayName'), displayName),
      field(t('users.email'), email, t('users.emailHint')),
      field(t('users.role'), role),
      departmentField,
      field(t('users.language'), language),
      existing ? field(t('users.disabled'), disabled) : field(t('users.password'), password, t('prefs.newPasswordHint')),
    ],
    onSubmit: async () => {
      const common = {
        displayName: displayName.value.trim() || undefined,
        email: email.value.trim() || undefined,
        role: role.value,
        department: department.value || undefined,
        language: language.value,
      };
      if (existing) await api('PATCH', `/api/users/${existing.id}`, { body: { ...common, disabled: disabled.checked } });
      else await api('POST', '/api/users', { body: { ...common, username: username.value.trim(), password: password.value } });
      toast(t('users.saved', { username: existing?.username ?? username.value.trim() }));
      after();
    },
  });
}

function resetPassword(u: UserRow): void {
  const password = input({ name: 'password', type: 'password', required: true, autocomplete: 'new-password' });
  password.minLength = 12;
  dialog({
    title: t('users.resetTitle', { username: u.username }),
    body: [h('p', null, t('users.resetLead')), field(t('users.password'), password, t('prefs.newPasswordHint'))],
    submitLabel: t('users.reset'),
    onSubmit: async () => {
      await api('POST', `/api/users/${u.id}/password`, { body: { password: password.value } });
      toast(t('users.resetDone', { username: u.username }));
    },
  });
}

export async function render(ctx: PageContext): Promise<void> {
  const list = h('div', null, loading());
  const load = async () => {
    try {
      const users = await api<UserRow[]>('GET', '/api/users');
      replace(
        list,
        users.length
          ? table(t('nav.users'), [
              { label: t('users.username'), cell: (u) => h('span', null, u.username, u.id === me().id ? ` (${t('users.you')})` : '') },
              { label: t('users.displayName'), cell: (u) => u.displayName },
              { label: t('users.role'), cell: (u) => tv('role', u.role) },
              { label: t('users.department'), cell: (u) => u.department ?? '—' },
              { label: t('users.email'), cell: (u) => u.email ?? '—' },
              { label: t('users.state'), cell: (u) => (u.disabled ? t('users.isDisabled') : u.lockedUntil ? t('users.lockedUntil', { time: formatDateTime(u.lockedUntil) }) : t('users.active')) },
              {
                label: t('common.actions'),
                cell: (u) =>
                  h(
                    'span',
                    { class: 'row-actions' },
                    button(t('common.edit'), () => userForm(u, load), { kind: 'link', title: t('users.editTitle', { username: u.username }) }),
                    button(t('users.reset'), () => resetPassword(u), { kind: 'link', title: t('users.resetTitle', { username: u.username }) }),
                    u.lockedUntil
                      ? button(t('users.unlock'), () => confirmDialog(t('users.unlock'), t('users.unlockConfirm', { username: u.username }), t('users.unlock'), async () => {
                          await api('POST', `/api/users/${u.id}/unlock`);
                          await load();
                        }), { kind: 'link' })
                      : null,
                  ),
              },
            ], users)
          : emptyState(t('users.none'), t('users.noneNext')),
      );
    } catch (error) {
      replace(list, errorBox(error));
    }
  };
  await load();
  replace(ctx.root, pageHeader(t('nav.users'), button(t('users.create'), () => userForm(undefined, load), { kind: 'primary' })), h('p', { class: 'hint' }, t('users.rolesExplained')), list);
}
