import { api } from './api.js';
import { h } from './dom.js';
import { t } from './i18n.js';

/**
 * A choice from the department list an administrator keeps. The list arrives after the form opens;
 * a value not (or no longer) on it stays selectable, so editing an old record does not change it.
 */
export function departmentSelect(value: string | undefined, props: { name: string; disabled?: boolean; required?: boolean }): HTMLSelectElement {
  const option = (name: string) => h('option', { value: name }, name);
  const el = h('select', { name: props.name, disabled: props.disabled, required: props.required }, h('option', { value: '' }, t('departments.choose')), ...(value ? [option(value)] : []));
  el.value = value ?? '';
  const fill = (names: string[]) => {
    const chosen = el.value;
    el.replaceChildren(h('option', { value: '' }, t('departments.choose')), ...[...new Set([...names, ...(value ? [value] : [])])].sort((a, b) => a.localeCompare(b, 'zh-CN')).map(option));
    el.value = chosen;
  };
  api<{ name: string }[]>('GET', '/api/departments').then(
    (list) => fill(list.map((d) => d.name)),
    () => fill([]),
  );
  return el;
}
