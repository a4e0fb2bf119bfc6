import { url } from '../core/api.js';
import { h } from '../core/dom.js';
import { language, t, tv } from '../core/i18n.js';
import { href } from '../core/router.js';
import type { Role } from '../core/session.js';
import { formatDateTime, timeZone } from '../core/time.js';
import { badge, details } from '../core/ui.js';
import type { FINDING_STATUSES } from '../core/vocabulary.js';
import type { Localised } from './incident-common.js';

/** Compliance officers and admins change things; analysts read everything; owners their department's part. */
export const WRITE: readonly Role[] = ['admin', 'compliance'];
export const READ: readonly Role[] = ['admin', 'compliance', 'analyst'];

export type CheckStatus = 'pass' | 'fail' | 'not_applicable' | 'needs_attestation';
export type FindingStatus = (typeof FINDING_STATUSES)[number];

export interface Control {
  id: string;
  title: Localised;
  source: string;
  article: string | null;
  article2016?: string;
  article2026?: string;
  requirement: Localised;
  verification: string;
  appliesTo: string;
  check: { kind: 'automatic'; evaluator: string } | { kind: 'manual'; evidence: Localised; validityDays: number };
  severity: string;
  remediation: Localised;
}

export interface RunView {
  id: string;
  profileId: string | null;
  profileName: string;
  trigger: string;
  status: 'running' | 'completed' | 'failed';
  progress: { done: number; total: number };
  requestedBy: string;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  summary: null | { results: number; byStatus: Record<CheckStatus, number>; controls: number; assets: number; findings: { opened: number; reopened: number; resolved: number; accepted: number } };
}

export interface Subject {
  type: 'asset' | 'organisation' | 'incident';
  id: string;
  name: string;
}

/** A line of evidence in words, as the server's evidence vocabulary says it; `at` is an instant to show in the reader's zone. */
export interface EvidenceLine {
  key: string;
  label: string;
  value: string;
  at?: string;
}
export type EvidenceWords = Record<'zh-CN' | 'en', EvidenceLine[]>;

export interface ResultView {
  controlId: string;
  subject: Subject;
  department: string | null;
  status: CheckStatus;
  evidence: Record<string, unknown>;
  evidenceWords: EvidenceWords;
  message: Localised;
  findingId: string | null;
  riskAcceptedUntil: string | null;
}

/** Controls whose check runs once per picked asset; the others have one subject (the organisation or the monitor). */
export const ASSET_SELECTORS = ['all_assets', 'cii', 'mlps_gte_2', 'mlps_gte_3', 'important_data', 'personal_data', 'sensitive_personal_data', 'automotive_data', 'public_cameras'];

export function checkBadge(status: string): HTMLElement {
  return badge('checkStatus', status);
}

/** "CSL Art. 21" in the user's language. */
export function citation(control: Pick<Control, 'source' | 'article'> | undefined): string {
  if (!control) return '—';
  return control.article ? t('compliance.citation', { law: tv('law', control.source), article: control.article }) : tv('law', control.source);
}

/** The report of a run in a format and language, times in the user's zone, as a link that downloads it under the name the service gives. */
export function reportLink(runId: string, format: 'html' | 'json' | 'csv', lang: 'zh-CN' | 'en', label: string): HTMLAnchorElement {
  return h('a', { class: 'btn btn-secondary', href: url(`/api/compliance/runs/${runId}/report`, { format, lang, tz: timeZone() }), download: '' }, label);
}

export function reportLinks(runId: string): HTMLElement {
  return h(
    'span',
    { class: 'row-actions', role: 'group', 'aria-label': t('compliance.downloads') },
    reportLink(runId, 'html', 'zh-CN', t('compliance.reportHtmlZh')),
    reportLink(runId, 'html', 'en', t('compliance.reportHtmlEn')),
    reportLink(runId, 'json', 'zh-CN', t('compliance.reportJson')),
    reportLink(runId, 'csv', 'zh-CN', t('compliance.reportCsv')),
  );
}

export function resultsHref(runId: string): string {
  return href('/compliance', { tab: 'results', run: runId });
}

/** Passed out of the results that could pass, as a percentage, or null when none could. */
export function passRate(counts: Record<CheckStatus, number>): number | null {
  const applicable = counts.pass + counts.fail + counts.needs_attestation;
  return applicable > 0 ? Math.round((counts.pass / applicable) * 1000) / 10 : null;
}

/** Evidence as labelled values in the user's language (the raw key in the hover title, for whoever compares with the JSON report). */
export function evidenceList(words: EvidenceWords): HTMLElement {
  const lines = words[language()];
  if (!lines.length) return h('p', { class: 'hint' }, t('compliance.noEvidence'));
  return details(lines.map((l) => [l.label, h('span', { title: l.key }, l.at ? formatDateTime(l.at) : l.value)]));
}
