import { api } from '../core/api.js';
import { h, replace } from '../core/dom.js';
import { formatNumber, t } from '../core/i18n.js';
import { can } from '../core/session.js';
import { formatDateTime } from '../core/time.js';
import { button, card, emptyState, errorBox, field, input, loading, select, table, textarea, toast } from '../core/ui.js';
import { ASSET_SELECTORS, WRITE, type Control } from './compliance-common.js';
import { local } from './incident-common.js';
import type { PageContext } from './page.js';

interface Attestation {
  id: string;
  controlId: string;
  subject: { type: 'asset' | 'organisation'; id: string; name: string };
  department: string | null;
  evidence: { fileName: string; sha256: string; size: number; contentType: string };
  note: string | null;
  attestedBy: string;
  attestedAt: string;
  validUntil: string;
  valid: boolean;
}

/** The organisation's subject id, as the audit runs name it. */
const ORGANISATION = 'organisation';

/** Uploads one evidence file for a manual control; the server keeps its SHA-256 and checks it on every download. */
async function uploadForm(manual: Control[], after: () => Promise<void>): Promise<HTMLElement> {
  const [{ items: assets }, { maxBytes }] = await Promise.all([
    api<{ items: { id: string; name: string; department: string }[] }>('GET', '/api/assets', { query: { limit: 500 } }),
    api<{ maxBytes: number }>('GET', '/api/compliance/attestations/limits'),
  ]);
  const maxSize = t('attest.megabytes', { size: formatNumber(maxBytes / 1_048_576, 1) });
  const control = select(
    manual.map((c) => ({ value: c.id, label: `${c.id} ${local(c.title)}` })),
    undefined,
    { name: 'controlId' },
  );
  const asset = select(
    assets.map((a) => ({ value: a.id, label: t('attest.assetOption', { name: a.name, department: a.department }) })),
    undefined,
    { name: 'asset' },
  );
  const assetField = field(t('attest.asset'), asset);
  const organisation = h('p', { class: 'hint' }, t('attest.forOrganisation'));
  const needs = h('p', { class: 'hint', 'aria-live': 'polite' });
  const file = h('input', { type: 'file', name: 'file', required: true });
  const validUntil = input({ name: 'validUntil', type: 'date' });
  const note = textarea({ name: 'note', rows: 2 });
  const status = h('div', { 'aria-live': 'polite' });
  const chosen = () => manual.find((c) => c.id === control.value);
  const sync = () => {
    const c = chosen();
    const perAsset = !!c && ASSET_SELECTORS.includes(c.appliesTo);
    assetField.hidden = !perAsset;
    organisation.hidden = perAsset;
    replace(needs, c && c.check.kind === 'manual' ? t('attest.needs', { evidence: local(c.check.evidence), days: c.check.validityDays }) : '');
  };
  control.addEventListener('change', sync);
  sync();
  const submit = button(t('attest.upload'), () => undefined, { type: 'submit', kind: 'primary' });
  const form = h(
    'form',
    { class: 'attest-form', novalidate: true },
    h('div', { class: 'form-grid' }, field(t('compliance.control'), control), assetField, organisation),
    needs,
    h('div', { class: 'form-grid' }, field(t('attest.file'), file as HTMLInputElement, t('attest.fileHint', { size: maxSize })), field(t('attest.validUntil'), validUntil, t('attest.validUntilHint')), field(t('attest.note'), note)),
    status,
    submit,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const c = chosen();
    const upload = (file as HTMLInputElement).files?.[0];
    if (!c || !upload) return (file as HTMLInputElement).focus();
    const perAsset = ASSET_SELECTORS.includes(c.appliesTo);
    if (perAsset && !asset.value) return asset.focus();
    // Said before sending, so a large scan does not upload for minutes only to be refused.
    if (upload.size > maxBytes) return replace(status, h('div', { class: 'notice notice-error', role: 'alert' }, t('attest.tooLarge', { name: upload.name, size: maxSize })));
    submit.disabled = true;
    replace(status, loading());
    try {
      // The body is the file itself; JSON files go as plain bytes, since a JSON body would be read as a request.
      const type = !upload.type || upload.type === 'application/json' ? 'application/octet-stream' : upload.type;
      const created = await api<Attestation>('POST', '/api/compliance/attestations', {
        query: { controlId: c.id, subjectType: perAsset ? 'asset' : 'organisation', subjectId: perAsset ? asset.value : ORGANISATION, fileName: upload.name, validUntil: validUntil.value, note: note.value.trim() },
        raw: { content: await upload.arrayBuffer(), type },
      });
      replace(status, h('div', { class: 'notice notice-ok', role: 'status' }, t('attest.uploaded', { control: created.controlId, subject: created.subject.name, until: created.validUntil, sha: created.evidence.sha256.slice(0, 12) })));
      toast(t('attest.uploadedShort'));
      form.reset();
      sync();
      await after();
    } catch (error) {
      replace(status, errorBox(error));
    } finally {
      submit.disabled = false;
    }
  });
  return card(t('attest.uploadTitle'), h('p', { class: 'hint' }, t('attest.uploadLead')), manual.length ? form : emptyState(t('attest.noManual'), t('attest.noManualNext')));
}

export async function render(_ctx: PageContext, area: HTMLElement): Promise<void> {
  const controls = await api<Control[]>('GET', '/api/compliance/controls');
  const titles = new Map(controls.map((c) => [c.id, local(c.title)]));
  const list = h('div', null, loading());
  const load = async () => {
    try {
      const items = await api<Attestation[]>('GET', '/api/compliance/attestations');
      replace(
        list,
        items.length
          ? table(
              t('attest.list'),
              [
                { label: t('compliance.control'), cell: (a) => h('span', null, h('span', { class: 'mono' }, a.controlId), h('span', { class: 'control-title' }, titles.get(a.controlId) ?? '')) },
                { label: t('compliance.subject'), cell: (a) => a.subject.name },
                { label: t('attest.file'), cell: (a) => h('a', { href: `/api/compliance/attestations/${a.id}/evidence`, download: a.evidence.fileName }, a.evidence.fileName) },
                { label: t('attest.size'), cell: (a) => t('attest.bytes', { size: formatNumber(a.evidence.size) }), numeric: true },
                { label: 'SHA-256', cell: (a) => h('span', { class: 'mono', title: a.evidence.sha256 }, `${a.evidence.sha256.slice(0, 12)}…`) },
                { label: t('attest.by'), cell: (a) => `${a.attestedBy} · ${formatDateTime(a.attestedAt)}` },
                { label: t('attest.validUntil'), cell: (a) => h('span', { class: a.valid ? undefined : 'bad' }, a.valid ? a.validUntil : t('attest.expired', { date: a.validUntil })) },
                { label: t('attest.note'), cell: (a) => a.note ?? '—' },
              ],
              items,
            )
          : emptyState(t('attest.none'), can(WRITE) ? t('attest.noneNext') : t('attest.noneRead')),
      );
    } catch (error) {
      replace(list, errorBox(error));
    }
  };
  const form = can(WRITE) ? await uploadForm(controls.filter((c) => c.check.kind === 'manual'), load) : null;
  await load();
  replace(area, h('div', { class: 'stack' }, form, card(t('attest.list'), list)));
}
