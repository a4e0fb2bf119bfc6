import { api } from '../core/api.js';
import { h, replace } from '../core/dom.js';
import { formatNumber, t } from '../core/i18n.js';
import { button, confirmDialog, dialog, emptyState, errorBox, field, input, loading, pageHeader, table, toast } from '../core/ui.js';
import type { PageContext } from './page.js';

interface Department {
  name: string;
  assets: number;
  users: number;
}

/** Adds a department, or renames one (its assets and users move with it). */
function nameDialog(existing: Department | undefined, after: () => Promise<void>): void {
  const name = input({ name: 'name', value: existing?.name, required: true });
  dialog({
    title: existing ? t('departments.renameTitle', { name: existing.name }) : t('departments.addTitle'),
    body: [field(t('departments.name'), name, existing ? t('departments.renameHint') : undefined)],
    submitLabel: existing ? t('departments.rename') : t('departments.add'),
    onSubmit: async () => {
      const body = { name: name.value.trim() };
      const saved = existing
        ? await api<Department>('PATCH', `/api/departments/${encodeURIComponent(existing.name)}`, { body })
        : await api<Department>('POST', '/api/departments', { body });
      toast(existing ? t('departments.renamed', { from: existing.name, to: saved.name }) : t('departments.added', { name: saved.name }));
      await after();
    },
  });
}

function actions(d: Department, load: () => Promise<void>): HTMLElement {
  const remove = () =>
    confirmDialog(t('departments.removeTitle'), t('departments.removeConfirm', { name: d.name }), t('common.delete'), async () => {
      await api('DELETE', `/api/departments/${encodeURIComponent(d.name)}`);
      toast(t('departments.removed', { name: d.name }));
      await load();
    });
  return h(
    'span',
    { class: 'row-actions' },
    button(t('departments.rename'), () => nameDialog(d, load), { kind: 'link', title: t('departments.renameTitle', { name: d.name }) }),
    button(t('common.delete'), remove, { kind: 'link', title: `${t('common.delete')} ${d.name}` }),
  );
}

export async function render(ctx: PageContext): Promise<void> {
  const list = h('div', null, loading());
  const load = async () => {
    try {
      const departments = await api<Department[]>('GET', '/api/departments');
      replace(
        list,
        departments.length
          ? table(t('nav.departments'), [
              { label: t('departments.name'), cell: (d: Department) => d.name },
              { label: t('departments.assets'), cell: (d) => formatNumber(d.assets), numeric: true },
              { label: t('departments.users'), cell: (d) => formatNumber(d.users), numeric: true },
              { label: t('common.actions'), cell: (d) => actions(d, load) },
            ], departments)
          : emptyState(t('departments.none'), t('departments.noneNext'), button(t('departments.add'), () => nameDialog(undefined, load), { kind: 'primary' })),
      );
    } catch (error) {
      replace(list, errorBox(error));
    }
  };
  await load();
  replace(ctx.root, pageHeader(t('nav.departments'), button(t('departments.add'), () => nameDialog(undefined, load), { kind: 'primary' })), h('p', { class: 'hint' }, t('departments.lead')), list);
}
