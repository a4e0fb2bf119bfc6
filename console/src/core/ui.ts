import { ApiError } from './api.js';
import { codedErrorText } from './api-errors.js';
import { h, replace, uid, type Child } from './dom.js';
import { t, tv, type MessageKey } from './i18n.js';

/** Plain buttons; `kind` picks the look, never the meaning (the label says what it does). */
export function button(label: string, onClick: (event: Event) => void, options: { kind?: 'primary' | 'secondary' | 'danger' | 'link'; disabled?: boolean; type?: 'button' | 'submit'; title?: string } = {}): HTMLButtonElement {
  return h('button', { type: options.type ?? 'button', class: `btn btn-${options.kind ?? 'secondary'}`, disabled: options.disabled, title: options.title, onclick: onClick }, label);
}

/** A labelled control: every input, select and textarea gets a visible label tied to it. */
export function field(label: string, control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement, hint?: string): HTMLElement {
  control.id ||= uid('f');
  const hintEl = hint ? h('small', { class: 'hint', id: uid('hint') }, hint) : null;
  if (hintEl) control.setAttribute('aria-describedby', hintEl.id);
  const isCheck = control instanceof HTMLInputElement && (control.type === 'checkbox' || control.type === 'radio');
  return isCheck
    ? h('div', { class: 'field field-check' }, control, h('label', { for: control.id }, label), hintEl)
    : h('div', { class: 'field' }, h('label', { for: control.id }, label), control, hintEl);
}

export function input(props: { name?: string; type?: string; value?: string; required?: boolean; placeholder?: string; autocomplete?: string; min?: string; max?: string; disabled?: boolean } = {}): HTMLInputElement {
  return h('input', { type: props.type ?? 'text', name: props.name, value: props.value, required: props.required, placeholder: props.placeholder, autocomplete: props.autocomplete ?? 'off', min: props.min, max: props.max, disabled: props.disabled });
}

export function checkbox(checked: boolean, name?: string): HTMLInputElement {
  return h('input', { type: 'checkbox', name, checked });
}

export function textarea(props: { name?: string; value?: string; rows?: number; required?: boolean; placeholder?: string } = {}): HTMLTextAreaElement {
  return h('textarea', { name: props.name, rows: props.rows ?? 6, required: props.required, placeholder: props.placeholder, spellcheck: 'false' }, props.value ?? '');
}

export function select(options: { value: string; label: string }[], value?: string, props: { name?: string; disabled?: boolean } = {}): HTMLSelectElement {
  const el = h('select', { name: props.name, disabled: props.disabled }, ...options.map((o) => h('option', { value: o.value }, o.label)));
  if (value !== undefined) el.value = value;
  return el;
}

/** Options for a server vocabulary, labelled through the catalogue (`prefix.value`). */
export function vocabulary(prefix: string, values: readonly string[], withAny?: MessageKey): { value: string; label: string }[] {
  return [...(withAny ? [{ value: '', label: t(withAny) }] : []), ...values.map((v) => ({ value: v, label: tv(prefix, v) }))];
}

export function pageHeader(title: string, ...actions: Child[]): HTMLElement {
  // The heading takes focus after navigation so screen readers announce the new page.
  return h('header', { class: 'page-header' }, h('h1', { tabindex: -1, id: 'page-title' }, title), h('div', { class: 'page-actions' }, ...actions));
}

export function card(title: string, ...children: Child[]): HTMLElement {
  const id = uid('card');
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

/** What to show when there is nothing: what it means, and what to do next. */
export function emptyState(title: string, next: string, ...actions: Child[]): HTMLElement {
  return h('div', { class: 'empty', role: 'status' }, h('p', { class: 'empty-title' }, title), h('p', { class: 'empty-next' }, next), actions.length ? h('div', { class: 'empty-actions' }, ...actions) : null);
}

export function loading(): HTMLElement {
  return h('p', { class: 'loading', role: 'status' }, t('common.loading'));
}

export function badge(prefix: string, value: string): HTMLElement {
  return h('span', { class: `badge badge-${prefix}-${value}` }, tv(prefix, value));
}

/**
 * A coded refusal in the console's own words; otherwise the server's message with a translated
 * lead saying what kind of failure it is.
 */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) {
    const coded = codedErrorText(error);
    if (coded) return coded;
    const lead = tv('error.status', String(error.status));
    const details = Array.isArray(error.details) ? error.details.filter((d) => typeof d === 'string').slice(0, 10) : [];
    return [lead === String(error.status) ? t('error.generic', { status: error.status }) : lead, error.message, ...details].filter(Boolean).join(' — ');
  }
  return t('error.network');
}

export function errorBox(error: unknown): HTMLElement {
  return h('div', { class: 'notice notice-error', role: 'alert' }, errorText(error));
}

let liveRegion: HTMLElement | undefined;
/** A short message announced to screen readers and shown for a few seconds. */
export function toast(message: string, kind: 'ok' | 'error' = 'ok'): void {
  liveRegion ??= document.body.appendChild(h('div', { class: 'toasts', 'aria-live': 'polite', role: 'status' }));
  const item = h('div', { class: `toast toast-${kind}` }, message);
  liveRegion.append(item);
  window.setTimeout(() => item.remove(), kind === 'error' ? 8000 : 4000);
}

export interface Column<T> {
  label: string;
  cell: (row: T) => Child;
  /** Numbers align right. */
  numeric?: boolean;
  /** With `id`, the column sorts by this value when the table is given a `sort`. */
  id?: string;
  sortValue?: (row: T) => string | number;
}

export type SortDirection = 'asc' | 'desc';

/** The column a table is sorted by, kept by the page (e.g. in the URL as `sort=level:desc`). */
export interface TableSort {
  by: string;
  dir: SortDirection;
  onChange: (by: string, dir: SortDirection) => void;
  /** The service sorted the whole list: columns with an `id` sort by asking it again, rows stay as given. */
  byService?: boolean;
}

/** `level:desc` read from a URL, falling back to `fallback`. */
export function parseSort(value: string | null, fallback: { by: string; dir: SortDirection }): { by: string; dir: SortDirection } {
  const [by, dir] = (value ?? '').split(':');
  return by && (dir === 'asc' || dir === 'desc') ? { by, dir } : fallback;
}

function sortRows<T>(rows: T[], columns: Column<T>[], sort: TableSort | undefined): T[] {
  const column = sort && !sort.byService && columns.find((c) => c.id === sort.by && c.sortValue);
  if (!sort || !column) return rows;
  const value = column.sortValue!;
  const sign = sort.dir === 'asc' ? 1 : -1;
  // Stable: rows equal in the sorted column keep the service's order.
  return rows
    .map((row, index) => ({ row, index, v: value(row) }))
    .sort((a, b) => sign * (typeof a.v === 'number' && typeof b.v === 'number' ? a.v - b.v : String(a.v).localeCompare(String(b.v), 'zh-CN')) || a.index - b.index)
    .map((x) => x.row);
}

function headerCell<T>(c: Column<T>, sort: TableSort | undefined): HTMLElement {
  const cls = c.numeric ? 'num' : undefined;
  if (!sort || !c.id || !(c.sortValue || sort.byService)) return h('th', { scope: 'col', class: cls }, c.label);
  const active = sort.by === c.id;
  const next: SortDirection = active && sort.dir === 'desc' ? 'asc' : 'desc';
  return h(
    'th',
    { scope: 'col', class: cls, 'aria-sort': active ? (sort.dir === 'asc' ? 'ascending' : 'descending') : undefined },
    h('button', { type: 'button', class: 'sort', onclick: () => sort.onChange(c.id!, active ? next : 'desc') }, c.label, h('span', { 'aria-hidden': 'true', class: 'sort-mark' }, active ? (sort.dir === 'asc' ? ' ▲' : ' ▼') : ' ↕')),
  );
}

/** Display width of a text: a Chinese character takes two Latin ones' room. */
export function textWidth(text: string): number {
  let width = 0;
  for (const ch of text.trim()) width += /[\u0000-\u00ff]/.test(ch) ? 1 : 2;
  return width;
}

/**
 * Short cells (statuses, keys, times, a one-word button) never wrap, so 待处理 or 查看 is not
 * broken over lines when the table is tight; longer text wraps as usual.
 */
function fitted(cell: HTMLTableCellElement): HTMLTableCellElement {
  // Short cells keep to one line; longer text keeps a readable width, so a crowded table scrolls
  // sideways instead of breaking a Chinese title every two or three characters.
  cell.classList.add(textWidth(cell.textContent ?? '') <= 12 ? 'nowrap' : 'prose');
  return cell;
}

/**
 * A region that scrolls takes keyboard focus (so arrow keys scroll it) and is named, but only
 * while its content overflows: a table that fits adds no tab stop.
 */
export function scrollable(wrap: HTMLElement, label: string): HTMLElement {
  const check = () => {
    const overflows = wrap.scrollWidth > wrap.clientWidth + 1 || wrap.scrollHeight > wrap.clientHeight + 1;
    if (overflows) {
      wrap.tabIndex = 0;
      wrap.setAttribute('role', 'region');
      wrap.setAttribute('aria-label', label);
    } else {
      wrap.removeAttribute('tabindex');
      wrap.removeAttribute('role');
      wrap.removeAttribute('aria-label');
    }
  };
  const observer = new ResizeObserver(check);
  observer.observe(wrap);
  if (wrap.firstElementChild) observer.observe(wrap.firstElementChild);
  return wrap;
}

/**
 * A data table with a caption for screen readers; with `selection`, a labelled checkbox per row
 * and one for all, for bulk actions (each row carries its key as data-key); with `sort`, sortable
 * column headers.
 */
export function table<T>(caption: string, columns: Column<T>[], unsorted: T[], selection?: { key: (row: T) => string; selected: Set<string>; label: (row: T) => string; onChange: () => void }, sort?: TableSort): HTMLElement {
  const rows = sortRows(unsorted, columns, sort);
  const head: Child[] = [];
  if (selection) {
    const all = h('input', { type: 'checkbox', 'aria-label': t('common.selectAll'), checked: rows.length > 0 && rows.every((r) => selection.selected.has(selection.key(r))) });
    all.addEventListener('change', () => {
      for (const r of rows) (all.checked ? selection.selected.add(selection.key(r)) : selection.selected.delete(selection.key(r)));
      for (const box of body.querySelectorAll<HTMLInputElement>('input[data-row]')) box.checked = all.checked;
      selection.onChange();
    });
    head.push(h('th', { scope: 'col', class: 'select' }, all));
  }
  head.push(...columns.map((c) => headerCell(c, sort)));
  const body = h(
    'tbody',
    null,
    ...rows.map((row) => {
      const cells: Child[] = [];
      if (selection) {
        const box = h('input', { type: 'checkbox', 'data-row': selection.key(row), 'aria-label': selection.label(row), checked: selection.selected.has(selection.key(row)) });
        box.addEventListener('change', () => {
          (box.checked ? selection.selected.add(selection.key(row)) : selection.selected.delete(selection.key(row)));
          selection.onChange();
        });
        cells.push(h('td', { class: 'select' }, box));
      }
      cells.push(...columns.map((c) => fitted(h('td', { class: c.numeric ? 'num' : undefined }, c.cell(row)))));
      return h('tr', { 'data-key': selection?.key(row) }, ...cells);
    }),
  );
  return scrollable(h('div', { class: 'table-wrap' }, h('table', null, h('caption', { class: 'visually-hidden' }, caption), h('thead', null, h('tr', null, ...head)), body)), caption);
}

/**
 * A modal dialog (the native element: focus stays inside, Escape closes). `onSubmit` runs for the
 * primary button; returning false keeps the dialog open (e.g. to show an error inside it).
 */
export function dialog(options: { title: string; body: Child; submitLabel?: string; submitKind?: 'primary' | 'danger'; onSubmit?: (form: HTMLFormElement) => Promise<boolean | void> | boolean | void; wide?: boolean }): HTMLDialogElement {
  const titleId = uid('dlg');
  const status = h('div', { class: 'dialog-status' });
  const form = h('form', { method: 'dialog', novalidate: true });
  const close = () => {
    el.close();
    el.remove();
  };
  const submit = options.onSubmit
    ? button(options.submitLabel ?? t('common.save'), () => undefined, { kind: options.submitKind ?? 'primary', type: 'submit' })
    : null;
  form.append(h('div', { class: 'dialog-body' }, options.body), status, h('div', { class: 'dialog-actions' }, button(options.onSubmit ? t('common.cancel') : t('common.close'), close), submit));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (!options.onSubmit) return close();
    if (!form.reportValidity()) return;
    submit!.disabled = true;
    replace(status);
    try {
      if ((await options.onSubmit(form)) !== false) close();
    } catch (error) {
      replace(status, errorBox(error));
    } finally {
      submit!.disabled = false;
    }
  });
  const el = h('dialog', { class: options.wide ? 'dialog wide' : 'dialog', 'aria-labelledby': titleId }, h('h2', { id: titleId }, options.title), form);
  el.addEventListener('close', () => el.remove());
  document.body.append(el);
  el.showModal();
  return el;
}

export function confirmDialog(title: string, message: string, confirmLabel: string, action: () => Promise<void>): void {
  dialog({ title, body: h('p', null, message), submitLabel: confirmLabel, submitKind: 'danger', onSubmit: action });
}

/** Key/value list for detail views. */
export function details(rows: [string, Child][]): HTMLElement {
  return h('dl', { class: 'details' }, ...rows.flatMap(([k, v]) => [h('dt', null, k), h('dd', null, v ?? '—')]));
}

/** Previous/next paging over offset and limit, with "x–y of n". */
export function pager(offset: number, limit: number, total: number, go: (offset: number) => void): HTMLElement {
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(offset + limit, total);
  return h(
    'nav',
    { class: 'pager', 'aria-label': t('common.pages') },
    button(t('common.previous'), () => go(Math.max(0, offset - limit)), { disabled: offset === 0 }),
    h('span', null, t('common.range', { from, to, total })),
    button(t('common.next'), () => go(offset + limit), { disabled: to >= total }),
  );
}
