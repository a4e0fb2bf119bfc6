import { api } from '../core/api.js';
import { h, replace, type Child } from '../core/dom.js';
import { t, tv } from '../core/i18n.js';
import { formatDateTime } from '../core/time.js';
import { button, emptyState, errorBox, field, input, loading, pageHeader, table } from '../core/ui.js';
import type { PageContext } from './page.js';

interface AuditRecord {
  id: string;
  at: string;
  actor: string;
  actorRole: string | null;
  action: string;
  targetType: string | null;
  targetId: string | null;
  outcome: string;
  sourceIp: string | null;
  before: unknown;
  after: unknown;
}

const PAGE_SIZE = 100;

/** The actor by name, with the role in the reader's language; the machine's own actions say "system". */
function actorText(r: AuditRecord): string {
  const who = r.actor === 'system' ? t('role.system') : r.actor;
  return r.actorRole && r.actorRole !== r.actor ? `${who} · ${tv('role', r.actorRole)}` : who;
}

type Flat = Map<string, unknown>;

/** Nested objects as dotted paths to their leaves, so a change deep inside shows as one line. */
function flatten(value: unknown, prefix = '', into: Flat = new Map()): Flat {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, into);
  } else if (prefix) into.set(prefix, value);
  return into;
}

function shown(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.map((v) => (typeof v === 'object' ? JSON.stringify(v) : String(v))).join('、') : '—';
  return String(value);
}

/**
 * The vocabularies a field's stored codes come from, by the field's last name and, where a name
 * means different things, by the kind of record: 状态 reads 待处理 → 已确认, not open → acknowledged.
 */
const FIELD_VOCABULARY: Record<string, readonly string[] | Record<string, readonly string[]>> = {
  status: { alert: ['alertStatus'], compliance_finding: ['findingStatus'] },
  state: { incident: ['incidentState', 'protectState'] },
  resolution: ['resolution'],
  grade: ['grade'],
  priority: ['priority'],
  category: ['category'],
  level: ['level'],
  role: ['role'],
  criticality: ['criticality'],
  lifecycle: ['lifecycle'],
  type: { asset: ['assetType'] },
  reason: ['audit.reason'],
  language: ['languageName'],
};

/** User ids by username, so an assignee or a changed account reads as a name, not a UUID. */
type People = ReadonlyMap<string, string>;

/** A stored value in the reader's words where its vocabulary names it; other values as stored. */
function valueWords(targetType: string | null, field: string, value: string, people: People): string {
  const person = people.get(value);
  if (person !== undefined) return person;
  const entry = FIELD_VOCABULARY[field.split('.').pop()!];
  const prefixes = Array.isArray(entry) ? entry : (entry as Record<string, readonly string[]> | undefined)?.[targetType ?? ''];
  if (!prefixes || value === '—') return value;
  // "wrong password; locked out": each part named on its own.
  return value
    .split('; ')
    .map((part) => prefixes.map((prefix) => tv(prefix, part)).find((word) => word !== part) ?? part)
    .join(t('audit.reasonSeparator'));
}

/** The fields a record changed, each as before → after; fields that stayed the same are left out. */
function changedFields(before: unknown, after: unknown, targetType: string | null, people: People): { field: string; before: string; after: string }[] {
  const b = flatten(before);
  const a = flatten(after);
  return [...new Set([...b.keys(), ...a.keys()])]
    .map((field) => ({ field, before: valueWords(targetType, field, shown(b.get(field)), people), after: valueWords(targetType, field, shown(a.get(field)), people) }))
    .filter((c) => c.before !== c.after);
}

/** A record's target: a user by name, anything else by its id (long ones shortened, in full on hover). */
function targetName(id: string, people: People): Child {
  const person = people.get(id);
  if (person !== undefined) return h('span', { title: id }, ` ${person}`);
  return h('span', { class: 'mono', title: id }, ` ${id.length > 12 ? `${id.slice(0, 8)}…` : id}`);
}

function changeCell(r: AuditRecord, people: People): Child {
  if (!r.before && !r.after) return '—';
  const changes = changedFields(r.before, r.after, r.targetType, people);
  return h(
    'div',
    { class: 'diff' },
    changes.length
      ? h('ul', { class: 'diff-list' }, ...changes.map((c) => h('li', null, h('span', { class: 'diff-field' }, tv('audit.fields', c.field)), '：', h('del', null, c.before), ' → ', h('ins', null, c.after))))
      : h('p', { class: 'hint' }, t('audit.noChange')),
    h('details', null, h('summary', null, t('audit.raw')), h('pre', { class: 'json' }, JSON.stringify({ before: r.before, after: r.after }, null, 2))),
  );
}

export async function render(ctx: PageContext): Promise<void> {
  const actor = input({ name: 'actor', value: ctx.params.get('actor') ?? '' });
  const targetType = input({ name: 'targetType', value: ctx.params.get('targetType') ?? '' });
  const verdict = h('div', { 'aria-live': 'polite' });
  const list = h('div', null, loading());
  // Ids of the first record of each earlier page, for "newer".
  const newer: (string | undefined)[] = [];
  let beforeId: string | undefined;

  // Accounts removed since keep their ids: the records hold what was true then.
  const people: People = new Map((await api<{ id: string; username: string }[]>('GET', '/api/users')).map((u) => [u.id, u.username]));
  const load = async () => {
    try {
      const records = await api<AuditRecord[]>('GET', '/api/audit', { query: { actor: actor.value.trim(), targetType: targetType.value.trim(), beforeId, limit: PAGE_SIZE } });
      replace(
        list,
        records.length
          ? table(t('nav.audit'), [
              { label: '#', cell: (r) => r.id, numeric: true },
              { label: t('audit.at'), cell: (r) => formatDateTime(r.at) },
              { label: t('audit.actor'), cell: actorText },
              { label: t('audit.action'), cell: (r) => h('span', { title: r.action }, tv('audit.actions', r.action)) },
              { label: t('audit.target'), cell: (r) => (r.targetType ? [tv('audit.targets', r.targetType), r.targetId ? targetName(r.targetId, people) : null] : '—') },
              { label: t('audit.outcome'), cell: (r) => tv('audit.outcomes', r.outcome) },
              { label: t('audit.sourceIp'), cell: (r) => r.sourceIp ?? '—' },
              { label: t('audit.change'), cell: (r) => changeCell(r, people) },
            ], records)
          : emptyState(t('audit.none'), t('audit.noneNext')),
        h(
          'nav',
          { class: 'pager', 'aria-label': t('common.pages') },
          button(t('audit.newer'), () => {
            beforeId = newer.pop();
            void load();
          }, { disabled: newer.length === 0 }),
          button(t('audit.older'), () => {
            newer.push(beforeId);
            beforeId = records[records.length - 1].id;
            void load();
          }, { disabled: records.length < PAGE_SIZE }),
        ),
      );
    } catch (error) {
      replace(list, errorBox(error));
    }
  };

  const verify = async () => {
    replace(verdict, loading());
    try {
      const r = await api<{ ok: boolean; checked: number; firstBroken?: { id: string; reason: string } }>('GET', '/api/audit/verify');
      replace(
        verdict,
        r.ok
          ? h('p', { class: 'notice notice-ok', role: 'status' }, t('audit.verified', { count: r.checked }))
          : h('p', { class: 'notice notice-error', role: 'alert' }, t('audit.broken', { id: r.firstBroken!.id, reason: r.firstBroken!.reason, count: r.checked })),
      );
    } catch (error) {
      replace(verdict, errorBox(error));
    }
  };

  const form = h('form', { class: 'filters', role: 'search' }, field(t('audit.actor'), actor), field(t('audit.targetType'), targetType, t('audit.targetTypeHint')), button(t('common.apply'), () => undefined, { type: 'submit', kind: 'primary' }));
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    beforeId = undefined;
    newer.length = 0;
    ctx.setParams(new URLSearchParams(Object.entries({ actor: actor.value.trim(), targetType: targetType.value.trim() }).filter(([, v]) => v)));
    void load();
  });
  await load();
  replace(ctx.root, pageHeader(t('nav.audit'), button(t('audit.verify'), () => void verify(), { kind: 'primary' })), h('p', { class: 'hint' }, t('audit.lead')), verdict, form, list);
}
