import type { ApiError } from './api.js';
import { isMessageKey, language, t, tv, type MessageKey } from './i18n.js';

/**
 * The service's coded refusals, worded by the console in the user's language: `apiError.<code>`
 * with the error's params; the fields a validation error names, by their labels on the forms.
 */
const FIELD_LABELS: Record<string, MessageKey> = {
  name: 'assets.name',
  type: 'assets.type',
  department: 'assets.department',
  addresses: 'assets.addresses',
  zone: 'assets.zone',
  mlps: 'assets.mlps',
  'mlps.level': 'assets.mlps',
  'mlps.filingNumber': 'assets.filingNumber',
  cii: 'assets.cii',
  data: 'assets.dataLevel',
  'data.level': 'assets.dataLevel',
  'data.personal': 'assets.personalData',
  'data.storage': 'assets.storage',
  storageLocation: 'assets.storage',
  contact: 'assets.contactName',
  'cii.designated': 'assets.cii',
  criticality: 'assets.criticality',
  lifecycle: 'assets.lifecycle',
  'contact.name': 'assets.contactName',
  'contact.phone': 'assets.contactPhone',
  'contact.email': 'assets.contactEmail',
  tags: 'assets.tags',
  expectedIntervalMinutes: 'assets.expectedInterval',
  username: 'users.username',
  password: 'login.password',
  displayName: 'users.displayName',
  email: 'users.email',
  role: 'users.role',
  language: 'users.language',
  timeZone: 'prefs.timeZone',
  currentPassword: 'prefs.currentPassword',
  newPassword: 'prefs.newPassword',
};

/** Parameters that are values of a vocabulary the console names (a status, a role), per code. */
const PARAM_VOCABULARY: Record<string, Record<string, string>> = {
  'alert.transition_refused': { from: 'alertStatus', to: 'alertStatus' },
  'compliance.finding_move_refused': { from: 'findingStatus', to: 'findingStatus' },
  'auth.role_forbidden': { role: 'role' },
  'notification.on_duty_role': { role: 'role' },
  'incident.transition_refused': { from: 'incidentState', to: 'incidentState' },
  'incident.report_move_refused': { from: 'reportStatus', to: 'reportStatus' },
  'incident.report_handling_not_ended': { state: 'incidentState' },
  'incident.assignee_not_analyst': { role: 'role' },
};

/** A field path (`mlps.level`, `addresses.2`) by its label, else as sent. */
export function fieldLabel(field: string): string {
  const path = field.replace(/\.\d+(?=\.|$)/g, '');
  const key = FIELD_LABELS[path] ?? FIELD_LABELS[path.split('.')[0]];
  return key ? t(key) : field;
}

function list(values: unknown[]): string {
  return values.map(String).join(language() === 'zh-CN' ? '、' : ', ');
}

interface FieldProblem {
  field: string;
  constraints?: string[];
}

/** Each field by its label with its problems in brackets, from a validation error's details. */
function fieldProblems(details: unknown, fields: unknown): string {
  const problems = Array.isArray(details) ? (details as FieldProblem[]).filter((d) => typeof d?.field === 'string') : [];
  if (!problems.length) return list((Array.isArray(fields) ? fields : []).map((f) => fieldLabel(String(f))));
  const open = language() === 'zh-CN' ? '（' : ' (';
  const close = language() === 'zh-CN' ? '）' : ')';
  return list(
    problems.map((p) => {
      const reasons = (p.constraints ?? []).map((c) => (isMessageKey(`validation.${c}`) ? t(`validation.${c}` as MessageKey) : t('validation.other')));
      return reasons.length ? `${fieldLabel(p.field)}${open}${[...new Set(reasons)].join('; ')}${close}` : fieldLabel(p.field);
    }),
  );
}

/** One problem of an import row (or any coded item): its code's text, else its constraint's, else the service's words. */
export function problemText(problem: { message: string; code?: string; params?: Record<string, unknown>; constraint?: string }): string {
  if (problem.code && isMessageKey(`apiError.${problem.code}`)) return codedErrorText({ code: problem.code, params: problem.params }) ?? problem.message;
  if (problem.constraint && problem.constraint !== 'whitelistValidation') return isMessageKey(`validation.${problem.constraint}`) ? t(`validation.${problem.constraint}` as MessageKey) : t('validation.other');
  return problem.message;
}

/** A parameter the service words itself in both languages (e.g. what a refused rule file did not do). */
function isLocalised(value: unknown): value is Record<'zh-CN' | 'en', string> {
  return typeof value === 'object' && value !== null && typeof (value as Record<string, unknown>)['zh-CN'] === 'string' && typeof (value as Record<string, unknown>).en === 'string';
}

/** The error in the user's language when the console knows its code; undefined otherwise. */
export function codedErrorText(error: Pick<ApiError, 'code' | 'params'> & { details?: unknown }): string | undefined {
  const key = `apiError.${error.code}`;
  if (!error.code || !isMessageKey(key)) return undefined;
  const vocabulary = PARAM_VOCABULARY[error.code] ?? {};
  const params = Object.fromEntries(
    Object.entries(error.params ?? {}).map(([name, value]) => [name, Array.isArray(value) ? list(value) : isLocalised(value) ? value[language()] : vocabulary[name] ? tv(vocabulary[name], String(value)) : String(value)]),
  );
  if (error.code === 'request.invalid_fields' || error.code === 'request.unknown_fields') {
    const unknown = error.code === 'request.unknown_fields' ? (error.params?.fields as unknown[] | undefined) ?? [] : [];
    const details = Array.isArray(error.details) ? (error.details as FieldProblem[]).filter((d) => !unknown.includes(d.field)) : error.details;
    params.fields = error.code === 'request.unknown_fields' ? list(unknown) : fieldProblems(details, error.params?.fields);
    const text = t(key as MessageKey, params);
    return Array.isArray(details) && details.length && error.code === 'request.unknown_fields' ? `${text}; ${t('apiError.request.invalid_fields', { fields: fieldProblems(details, []) })}` : text;
  }
  return t(key as MessageKey, params);
}
