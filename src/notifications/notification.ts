import type { Localised } from '../shared/index.js';

export type Language = 'zh-CN' | 'en';
export const LANGUAGES: readonly Language[] = ['zh-CN', 'en'];

/** A grade or category as the sender names it in both languages (the mail does not know the vocabulary). */
export interface Named {
  id: string;
  name: Localised;
}

/** What a mail needs to know about an incident; every field is event data and is escaped on use. */
export interface IncidentRef {
  id: string;
  key: string;
  title: string;
  grade: Named;
  category: Named;
  state: string;
}

/** Text the sender may have in both languages (playbook task titles, report recipients) or only one. */
export type Wording = string | Localised;

export type Notification =
  | { kind: 'incident_created'; incident: IncidentRef }
  /** `assignee` is a user id (shown as that user's name) or a name. */
  | { kind: 'incident_assigned'; incident: IncidentRef; assignee: string }
  | { kind: 'grade_changed'; incident: IncidentRef; from: Named; to: Named; reason: string }
  | { kind: 'task_assigned'; incident: IncidentRef; task: { title: Wording; dueAt: string | null } }
  | { kind: 'reporting_deadline'; incident: IncidentRef; notice: '50%' | '80%' | 'overdue'; deadlineAt: string; reportTo: Wording }
  | { kind: 'sla_breach'; incident: IncidentRef; target: 'assess' | 'acknowledge' | 'contain' | 'recover'; dueAt: string }
  | { kind: 'incident_closed'; incident: IncidentRef; resolution: string };

export type NotificationKind = Notification['kind'];
export const NOTIFICATION_KINDS = [
  'incident_created',
  'incident_assigned',
  'grade_changed',
  'task_assigned',
  'reporting_deadline',
  'sla_breach',
  'incident_closed',
] as const satisfies readonly NotificationKind[];

/** What a user can switch off: every event mail, and the daily digest. */
export const PREFERENCE_KINDS = [...NOTIFICATION_KINDS, 'digest'] as const;
export type PreferenceKind = (typeof PREFERENCE_KINDS)[number];

/** One part of the daily digest, e.g. "open incidents by grade", already in both languages. */
export interface DigestSection {
  title: Localised;
  lines: Localised[];
}

/** Who a digest is for, so a source can confine an owner to their department. */
export interface DigestRecipient {
  userId: string;
  role: 'admin' | 'analyst' | 'compliance' | 'owner';
  department: string | null;
  language: Language;
}

/**
 * A module that contributes to the daily digest (incidents registers one). Sections with no lines
 * are left out; a user whose digest would be empty gets no mail.
 */
export interface DigestSource {
  readonly name: string;
  sections(recipient: DigestRecipient, window: { from: Date; to: Date }): Promise<DigestSection[]>;
}
