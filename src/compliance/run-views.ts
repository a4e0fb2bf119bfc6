import type { CheckStatus, Control, Localised, Subject } from './catalogue/index.js';
import type { EvidenceLang, EvidenceLine } from './evidence-labels.js';
import type { FindingChanges } from './findings.service.js';

/** What a compliance run looks like to its readers: the API, the report renderer, the console. */

export type RunTrigger = 'manual' | 'schedule' | 'cli';
export type RunStatus = 'running' | 'completed' | 'failed';

/** A control as the run applied it, frozen with the run so reports of old runs stay true. */
export interface FrozenControl {
  id: string;
  title: Localised;
  source: Control['source'];
  article: string | null;
  article2016?: string;
  verification: Control['verification'];
  appliesTo: Control['appliesTo'];
  kind: 'automatic' | 'manual';
  evaluator?: string;
  severity: Control['severity'];
  requirement: Localised;
  remediation: Localised;
}

export interface RunSummary {
  results: number;
  byStatus: Record<CheckStatus, number>;
  controls: number;
  assets: number;
  findings: FindingChanges;
  /** Controls the profile names that the catalogue no longer has. */
  missingControls: string[];
}

export interface RunView {
  id: string;
  profileId: string | null;
  profileName: string;
  trigger: RunTrigger;
  scheduledFor: string | null;
  status: RunStatus;
  progress: { done: number; total: number };
  requestedBy: string;
  startedAt: string;
  finishedAt: string | null;
  error: string | null;
  summary: RunSummary | null;
}

export interface ResultView {
  controlId: string;
  subject: Subject;
  department: string | null;
  status: CheckStatus;
  evidence: Record<string, unknown>;
  /** The evidence in words, as the report prints it (evidence-labels.ts). */
  evidenceWords: Record<EvidenceLang, EvidenceLine[]>;
  message: Localised;
  findingId: string | null;
  riskAcceptedUntil: string | null;
}

export interface RunDiff {
  run: string;
  previous: { id: string; startedAt: string } | null;
  changed: { controlId: string; subject: Subject; from: CheckStatus; to: CheckStatus }[];
  added: { controlId: string; subject: Subject; status: CheckStatus }[];
  removed: { controlId: string; subject: Subject; status: CheckStatus }[];
  unchanged: number;
}
