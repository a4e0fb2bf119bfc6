import { api, url } from '../core/api.js';
import { departmentSelect } from '../core/departments.js';
import { h, replace } from '../core/dom.js';
import { formatNumber, t, tv } from '../core/i18n.js';
import { href } from '../core/router.js';
import { can, user, type Role } from '../core/session.js';
import { formatDateTime, formatInterval, INTERVAL_UNITS, intervalIn, type IntervalUnit } from '../core/time.js';
import { ASSET_TYPES, CRITICALITIES, DATA_LEVELS, LIFECYCLES, PERSONAL_DATA, STORAGE_LOCATIONS } from '../core/vocabulary.js';
import { fieldLabel, problemText } from '../core/api-errors.js';
import { badge, button, checkbox, confirmDialog, dialog, emptyState, errorBox, errorText, field, input, loading, pageHeader, pager, select, table, textarea, toast, vocabulary } from '../core/ui.js';
import type { PageContext } from './page.js';

const MANAGE: Role[] = ['admin', 'owner'];
const SEE_UNREGISTERED: Role[] = ['admin', 'analyst', 'compliance'];
const PAGE_SIZE = 50;

interface Contact {
  name: string;
  email?: string;
  phone?: string;
}

interface Asset {
  id: string;
  name: string;
  type: string;
  department: string;
  contact?: Contact;
  addresses: string[];
  zone?: string;
  mlps?: { level: number; filingNumber?: string };
  cii: { designated: boolean };
  data: { level: string; personal: string; subjects?: number; categories: string[] };
  storageLocation: string;
  criticality: string;
  lifecycle: string;
  tags: string[];
  /** null: the service's default interval. */
  expectedIntervalMinutes: number | null;
  updatedAt: string;
}

interface UnregisteredHost {
  address: string;
  kind: string;
  firstSeen: string;
  lastSeen: string;
  eventCount: number;
  sampleEventId: string | null;
  datasets: string[];
}

interface RowProblem {
  row: number;
  field?: string;
  column?: string;
  message: string;
  constraint?: string;
  code?: string;
  params?: Record<string, unknown>;
}

const IMPORT_ACTIONS = ['create', 'update', 'unchanged', 'error'] as const;

interface RowOutcome {
  row: number;
  name: string;
  action: (typeof IMPORT_ACTIONS)[number];
  changed?: string[];
}

interface ImportReport {
  dryRun: boolean;
  encoding?: string;
  total: number;
  valid: number;
  created: number;
  updated: number;
  unchanged: number;
  departmentsAdded: string[];
  errors: RowProblem[];
  rows: RowOutcome[];
}

/** Create or edit an asset; owners register for their own department only (the API insists too). */
async function assetForm(existing: Partial<Asset> | undefined, after: () => void): Promise<void> {
  const { expectedIntervalMinutes: defaultInterval } = await api<{ expectedIntervalMinutes: number }>('GET', '/api/assets/defaults');
  const me = user();
  const owner = me.role === 'owner';
  const name = input({ name: 'name', value: existing?.name, required: true });
  const type = select(vocabulary('assetType', ASSET_TYPES), existing?.type ?? 'server', { name: 'type' });
  const department = departmentSelect(existing?.department ?? (owner ? me.department ?? undefined : undefined), { name: 'department', required: true, disabled: owner });
  const addresses = textarea({ name: 'addresses', rows: 3, value: (existing?.addresses ?? []).join('\n') });
  const zone = input({ name: 'zone', value: existing?.zone });
  const mlps = select([{ value: '', label: t('assets.mlpsNone') }, ...[1, 2, 3, 4, 5].map((n) => ({ value: String(n), label: t('assets.mlpsLevel', { level: n }) }))], existing?.mlps ? String(existing.mlps.level) : '', { name: 'mlps' });
  const filing = input({ name: 'filingNumber', value: existing?.mlps?.filingNumber });
  const cii = checkbox(existing?.cii?.designated ?? false, 'cii');
  const dataLevel = select(vocabulary('dataLevel', DATA_LEVELS), existing?.data?.level ?? 'general', { name: 'dataLevel' });
  const personal = select(vocabulary('personalData', PERSONAL_DATA), existing?.data?.personal ?? 'none', { name: 'personal' });
  const storage = select(vocabulary('storage', STORAGE_LOCATIONS), existing?.storageLocation ?? 'in_china', { name: 'storageLocation' });
  const criticality = select(vocabulary('criticality', CRITICALITIES), existing?.criticality ?? 'medium', { name: 'criticality' });
  const lifecycle = select(vocabulary('lifecycle', LIFECYCLES), existing?.lifecycle ?? 'active', { name: 'lifecycle' });
  const contactName = input({ name: 'contactName', value: existing?.contact?.name });
  const contactPhone = input({ name: 'contactPhone', type: 'tel', value: existing?.contact?.phone });
  const contactEmail = input({ name: 'contactEmail', type: 'email', value: existing?.contact?.email });
  const tags = input({ name: 'tags', value: (existing?.tags ?? []).join(', ') });
  const ownInterval = existing?.expectedIntervalMinutes ? intervalIn(existing.expectedIntervalMinutes) : undefined;
  const interval = input({ name: 'expectedInterval', type: 'number', min: '1', value: ownInterval ? String(ownInterval.n) : '' });
  const intervalUnit = select(Object.keys(INTERVAL_UNITS).map((u) => ({ value: u, label: t(`interval.unit.${u as IntervalUnit}`) })), ownInterval?.unit ?? 'minutes', { name: 'expectedIntervalUnit' });
  const editing = !!existing?.id;
  dialog({
    title: editing ? t('assets.editTitle', { name: existing!.name! }) : t('assets.createTitle'),
    wide: true,
    body: h(
      'div',
      { class: 'form-grid' },
      field(t('assets.name'), name),
      field(t('assets.type'), type),
      field(t('assets.department'), department, owner ? t('assets.ownDepartmentOnly') : undefined),
      field(t('assets.addresses'), addresses, t('assets.addressesHint')),
      field(t('assets.zone'), zone),
      field(t('assets.mlps'), mlps),
      field(t('assets.filingNumber'), filing),
      field(t('assets.cii'), cii),
      field(t('assets.dataLevel'), dataLevel),
      field(t('assets.personalData'), personal),
      field(t('assets.storage'), storage),
      field(t('assets.criticality'), criticality),
      field(t('assets.lifecycle'), lifecycle),
      field(t('assets.expectedInterval'), interval, t('assets.expectedIntervalHint', { interval: formatInterval(defaultInterval) })),
      field(t('assets.expectedIntervalUnit'), intervalUnit),
      field(t('assets.contactName'), contactName),
      field(t('assets.contactPhone'), contactPhone),
      field(t('assets.contactEmail'), contactEmail),
      field(t('assets.tags'), tags, t('assets.tagsHint')),
    ),
    submitLabel: editing ? t('common.save') : t('assets.register'),
    onSubmit: async () => {
      const body = {
        name: name.value.trim(),
        type: type.value,
        ...(owner ? {} : { department: department.value.trim() }),
        addresses: addresses.value.split(/[\n,]+/).map((a) => a.trim()).filter(Boolean),
        ...(zone.value.trim() ? { zone: zone.value.trim() } : {}),
        ...(mlps.value ? { mlps: { level: Number(mlps.value), ...(filing.value.trim() ? { filingNumber: filing.value.trim() } : {}) } } : {}),
        cii: { designated: cii.checked },
        data: { level: dataLevel.value, personal: personal.value, categories: existing?.data?.categories ?? [] },
        storageLocation: storage.value,
        criticality: criticality.value,
        lifecycle: lifecycle.value,
        // Empty puts the asset back on the default; a fraction of a minute is the service's to refuse.
        expectedIntervalMinutes: interval.value.trim() ? Number(interval.value) * INTERVAL_UNITS[intervalUnit.value as IntervalUnit] : null,
        ...(contactName.value.trim() ? { contact: { name: contactName.value.trim(), ...(contactPhone.value.trim() ? { phone: contactPhone.value.trim() } : {}), ...(contactEmail.value.trim() ? { email: contactEmail.value.trim() } : {}) } } : {}),
        tags: tags.value.split(',').map((x) => x.trim()).filter(Boolean),
      };
      const saved = await api<Asset>(editing ? 'PATCH' : 'POST', editing ? `/api/assets/${existing!.id}` : '/api/assets', { body });
      toast(editing ? t('assets.saved', { name: saved.name }) : t('assets.created', { name: saved.name }));
      after();
    },
  });
}

/** Opens the form from a button: a failure to read the defaults shows as a message, not a silent no-op. */
function openAssetForm(existing: Partial<Asset> | undefined, after: () => void): void {
  assetForm(existing, after).catch((error: unknown) => toast(errorText(error), 'error'));
}

async function registry(ctx: PageContext, area: HTMLElement): Promise<void> {
  const q = input({ name: 'q', type: 'search', value: ctx.params.get('q') ?? '' });
  const type = select(vocabulary('assetType', ASSET_TYPES, 'common.all'), ctx.params.get('type') ?? '', { name: 'type' });
  let offset = 0;
  const results = h('div', null, loading());
  const load = async () => {
    try {
      const page = await api<{ items: Asset[]; total: number }>('GET', '/api/assets', { query: { q: q.value.trim(), type: type.value, limit: PAGE_SIZE, offset } });
      if (!page.items.length) {
        const searching = !!(q.value.trim() || type.value);
        replace(
          results,
          emptyState(
            searching ? t('assets.noneFound') : t('assets.none'),
            searching ? t('assets.noneFoundNext') : can(MANAGE) ? t('assets.noneNextManage') : t('assets.noneNextRead'),
            can(MANAGE) && !searching ? button(t('assets.create'), () => openAssetForm(undefined, load), { kind: 'primary' }) : null,
          ),
        );
        return;
      }
      replace(
        results,
        table(
          t('assets.registry'),
          [
            { label: t('assets.name'), cell: (a) => a.name },
            { label: t('assets.type'), cell: (a) => tv('assetType', a.type) },
            { label: t('assets.department'), cell: (a) => a.department },
            { label: t('assets.addresses'), cell: (a) => h('span', { class: 'mono' }, a.addresses.join(', ')) },
            { label: t('assets.mlps'), cell: (a) => (a.mlps ? t('assets.mlpsLevel', { level: a.mlps.level }) : '—') },
            { label: t('assets.criticality'), cell: (a) => tv('criticality', a.criticality) },
            { label: t('assets.lifecycle'), cell: (a) => tv('lifecycle', a.lifecycle) },
            {
              label: t('common.actions'),
              cell: (a) =>
                can(MANAGE)
                  ? h(
                      'span',
                      { class: 'row-actions' },
                      button(t('common.edit'), () => openAssetForm(a, load), { kind: 'link', title: t('assets.editTitle', { name: a.name }) }),
                      button(t('common.delete'), () => confirmDialog(t('assets.deleteTitle'), t('assets.deleteConfirm', { name: a.name }), t('common.delete'), async () => {
                        await api('DELETE', `/api/assets/${a.id}`);
                        toast(t('assets.deleted', { name: a.name }));
                        await load();
                      }), { kind: 'link', title: t('assets.deleteTitle') + ' ' + a.name }),
                    )
                  : '—',
            },
          ],
          page.items,
        ),
        pager(offset, PAGE_SIZE, page.total, (o) => {
          offset = o;
          void load();
        }),
      );
    } catch (error) {
      replace(results, errorBox(error));
    }
  };
  const form = h('form', { class: 'filters', role: 'search' }, field(t('assets.search'), q, t('assets.searchHint')), field(t('assets.type'), type), button(t('common.apply'), () => undefined, { type: 'submit', kind: 'primary' }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    offset = 0;
    ctx.setParams(new URLSearchParams(Object.entries({ q: q.value.trim(), type: type.value }).filter(([, v]) => v)));
    void load();
  });
  const exports = h(
    'p',
    { class: 'toolbar' },
    h('a', { class: 'btn btn-secondary', href: url('/api/assets/export', { format: 'csv', headers: 'zh' }), download: '' }, t('assets.exportCsv')),
    h('a', { class: 'btn btn-secondary', href: url('/api/assets/export', { format: 'json' }), download: '' }, t('assets.exportJson')),
    can(MANAGE) ? button(t('assets.create'), () => openAssetForm(undefined, load), { kind: 'primary' }) : null,
  );
  await load();
  replace(area, exports, form, results);
  const open = ctx.params.get('id');
  if (open) {
    api<Asset>('GET', `/api/assets/${open}`).then(
      (a) => (can(MANAGE) ? openAssetForm(a, load) : replace(results, table(t('assets.registry'), [{ label: t('assets.name'), cell: (x: Asset) => x.name }, { label: t('assets.department'), cell: (x: Asset) => x.department }, { label: t('assets.addresses'), cell: (x: Asset) => x.addresses.join(', ') }, { label: t('assets.expectedInterval'), cell: (x: Asset) => (x.expectedIntervalMinutes ? formatInterval(x.expectedIntervalMinutes) : t('assets.expectedIntervalDefault')) }], [a]))),
      (e: unknown) => toast(errorText(e), 'error'),
    );
  }
}

async function unregistered(area: HTMLElement): Promise<void> {
  const hosts = await api<UnregisteredHost[]>('GET', '/api/ingest/unregistered-hosts');
  const reload = () => void unregistered(area);
  replace(
    area,
    h('p', { class: 'hint' }, t('assets.unregisteredLead')),
    hosts.length
      ? table(
          t('assets.unregistered'),
          [
            { label: t('assets.address'), cell: (x) => h('span', { class: 'mono' }, x.address) },
            { label: t('assets.kind'), cell: (x) => tv('addressKind', x.kind) },
            { label: t('assets.eventCount'), cell: (x) => formatNumber(x.eventCount), numeric: true },
            { label: t('assets.datasets'), cell: (x) => x.datasets.join(', ') },
            { label: t('assets.firstSeen'), cell: (x) => formatDateTime(x.firstSeen) },
            { label: t('assets.lastSeen'), cell: (x) => formatDateTime(x.lastSeen) },
            { label: t('assets.sample'), cell: (x) => (x.sampleEventId ? h('a', { href: href('/events', { id: x.sampleEventId }) }, t('events.open')) : '—') },
            { label: t('common.actions'), cell: (x) => (can(MANAGE) ? button(t('assets.registerHost'), () => openAssetForm({ name: x.address, addresses: [x.address] }, reload), { title: t('assets.registerHostTitle', { address: x.address }) }) : '—') },
          ],
          hosts,
        )
      : emptyState(t('assets.noUnregistered'), t('assets.noUnregisteredNext')),
  );
}

/** What one row does, or why it cannot: the changed fields of an update, the problems of an error. */
function rowDetail(row: RowOutcome, problems: RowProblem[]): HTMLElement | string {
  if (row.action === 'update') return (row.changed ?? []).map(fieldLabel).join(t('assets.listSeparator'));
  const mine = problems.filter((p) => p.row === row.row);
  if (!mine.length) return '—';
  return h('ul', { class: 'plain-list' }, ...mine.map((p) => h('li', null, withColumn(p))));
}

/** A row problem led by its column, unless its own words already name it. */
function withColumn(problem: RowProblem): string {
  const text = problemText(problem);
  const column = problem.column ?? (problem.field ? fieldLabel(problem.field) : '');
  return column && !text.includes(column) ? `${column}${t('assets.columnSeparator')}${text}` : text;
}

/** The preview (or result) of an import: counts per action, then each row with what it does. */
function importReport(result: ImportReport): HTMLElement[] {
  const counts = { total: result.total, created: result.created, updated: result.updated, unchanged: result.unchanged, errors: result.rows.filter((r) => r.action === 'error').length, encoding: result.encoding ?? 'utf-8' };
  const departments = result.departmentsAdded.join(t('assets.listSeparator'));
  const summary = h(
    'p',
    { class: counts.errors ? 'notice notice-warn' : 'notice' },
    result.dryRun ? t('assets.previewSummary', counts) : t('assets.imported', counts),
    departments ? ` ${t(result.dryRun ? 'assets.departmentsToAdd' : 'assets.departmentsAdded', { departments })}` : '',
  );
  // Problems not tied to a row of the body (a header, say) still show.
  const rowless = result.errors.filter((e) => !result.rows.some((r) => r.row === e.row));
  const rows = table(t('assets.importRows'), [
    { label: t('assets.row'), cell: (r: RowOutcome) => String(r.row), numeric: true },
    { label: t('assets.name'), cell: (r) => r.name || '—' },
    { label: t('assets.importAction'), cell: (r) => badge('importAction', r.action) },
    { label: t('assets.importDetail'), cell: (r) => rowDetail(r, result.errors) },
  ], result.rows);
  return [summary, rows, ...(rowless.length ? [table(t('assets.importErrors'), [{ label: t('assets.row'), cell: (e: RowProblem) => String(e.row), numeric: true }, { label: t('assets.problem'), cell: (e) => problemText(e) }], rowless)] : [])];
}

function importer(area: HTMLElement): void {
  const file = h('input', { type: 'file', name: 'file', accept: '.csv,.json,text/csv,application/json', required: true });
  const report = h('div', { 'aria-live': 'polite' });
  const importButton = button(t('assets.importNow'), () => void run(false), { kind: 'primary', disabled: true });
  // Only an administrator may grow the department list; a first import names departments not listed yet.
  const addDepartments = user().role === 'admin' ? checkbox(false, 'addDepartments') : undefined;
  const run = async (dryRun: boolean) => {
    const chosen = file.files?.[0];
    if (!chosen) return file.focus();
    const type = chosen.name.toLowerCase().endsWith('.json') ? 'application/json' : 'text/csv';
    replace(report, loading());
    try {
      const result = await api<ImportReport>('POST', '/api/assets/import', { query: { dryRun: String(dryRun), addDepartments: String(addDepartments?.checked ?? false) }, raw: { content: await chosen.arrayBuffer(), type } });
      importButton.disabled = !dryRun || result.errors.length > 0 || result.created + result.updated === 0;
      replace(report, ...importReport(result));
    } catch (error) {
      importButton.disabled = true;
      const details = (error as { details?: ImportReport }).details;
      replace(report, errorBox(error), ...(details?.rows ? importReport(details).slice(1) : []));
    }
  };
  for (const control of [file, addDepartments]) {
    control?.addEventListener('change', () => {
      importButton.disabled = true;
      replace(report);
    });
  }
  replace(
    area,
    h('p', { class: 'hint' }, t('assets.importLead')),
    h('div', { class: 'filters' }, field(t('assets.importFile'), file, t('assets.importFileHint')), button(t('assets.preview'), () => void run(true)), importButton),
    addDepartments ? field(t('assets.addDepartments'), addDepartments, t('assets.addDepartmentsHint')) : null,
    report,
  );
}

export async function render(ctx: PageContext): Promise<void> {
  const tabs = [
    { id: 'registry', label: t('assets.registry'), show: true },
    { id: 'unregistered', label: t('assets.unregistered'), show: can(SEE_UNREGISTERED) },
    { id: 'import', label: t('assets.import'), show: can(MANAGE) },
  ].filter((x) => x.show);
  const active = tabs.find((x) => x.id === ctx.params.get('tab')) ?? tabs[0];
  const area = h('div', null, loading());
  const nav = h('nav', { class: 'tabs', 'aria-label': t('assets.views') }, ...tabs.map((x) => h('a', { href: href('/assets', x.id === 'registry' ? {} : { tab: x.id }), 'aria-current': x.id === active.id ? 'page' : undefined }, x.label)));
  try {
    if (active.id === 'registry') await registry(ctx, area);
    else if (active.id === 'unregistered') await unregistered(area);
    else importer(area);
  } catch (error) {
    replace(area, errorBox(error));
  }
  replace(ctx.root, pageHeader(t('nav.assets')), user().role === 'owner' ? h('p', { class: 'hint' }, t('assets.ownerScope', { department: user().department ?? '' })) : null, nav, area);
}
