import type { Localised } from '../../shared/index.js';
import type { CategoryId } from './categories.js';
import type { GradeOrUnrated } from './grading.js';

/**
 * What goes into the reports to the authorities: the initial report (Art. 7 of the CAC measures
 * [S]), the closing summary (Art. 8 [S]) and the notice of a personal-information breach (PIPL
 * Art. 57 [V]). An initial report may go out incomplete — the measures ask for what is known
 * within the deadline and supplements later — so its gaps are flagged, not refused. The closing
 * summary ends the reporting, so it must be complete.
 */

const blank = (s: string | undefined): boolean => s === undefined || s.trim() === '';

// ── initial report ──────────────────────────────────────────────────────────────────────────

export interface RansomwareDetails {
  /** As demanded, with its currency or coin ("2 BTC", "¥500,000"). */
  amount?: string;
  paymentMethod?: string;
  /** When the demand was made (or payment was due), as written by the analyst. */
  date?: string;
}

export interface InitialReportInput {
  unit?: string;
  /** Names of the affected systems. */
  systems: readonly string[];
  discoveredAt?: Date;
  discoveryPlace?: string;
  category?: CategoryId;
  grade: GradeOrUnrated;
  impact?: string;
  measuresTaken?: string;
  measuresEffect?: string;
  /** Present only for ransomware; its three details are then required. */
  ransomware?: RansomwareDetails;
  furtherHarm?: string;
  preliminaryCause?: string;
  leads?: { attacker?: string; path?: string; vulnerabilities?: string };
  plannedMeasures?: string;
  helpRequested?: string;
  /** Art. 7 (7): how the scene (logs, disks, memory, devices) was preserved. */
  sceneProtection?: string;
  /** Art. 7 (8): anything else to report; optional. */
  otherMatters?: string;
}

/**
 * The report's items in the order of Art. 7, with the item number (`art7`) each belongs to;
 * `ransomware` only counts when the incident is one. Item (8) 其他 is optional: the rest are
 * mandatory. When the rest is not known within the deadline, items (1) and (2) go first and the
 * others follow as supplements (Art. 7).
 */
export const INITIAL_REPORT_ITEMS = [
  { id: 'unit_and_systems', art7: 1, label: { 'zh-CN': '事发单位及受影响系统', en: 'Unit and affected systems' } },
  { id: 'discovery', art7: 2, label: { 'zh-CN': '发现时间和地点', en: 'Time and place of discovery' } },
  { id: 'type_grade_impact', art7: 2, label: { 'zh-CN': '事件类型、级别和影响', en: 'Type, grade and impact' } },
  { id: 'measures_and_effect', art7: 2, label: { 'zh-CN': '已采取的措施及效果', en: 'Measures taken and their effect' } },
  { id: 'ransomware', art7: 2, label: { 'zh-CN': '勒索金额、支付方式和日期', en: 'Ransom amount, payment method and date' } },
  { id: 'further_harm', art7: 3, label: { 'zh-CN': '可能造成的进一步危害', en: 'Likely further harm' } },
  { id: 'preliminary_cause', art7: 4, label: { 'zh-CN': '初步原因分析', en: 'Preliminary cause' } },
  { id: 'investigation_leads', art7: 5, label: { 'zh-CN': '调查线索（攻击者、攻击路径、漏洞等）', en: 'Investigation leads (attacker, path, vulnerabilities)' } },
  { id: 'planned_measures_and_help', art7: 6, label: { 'zh-CN': '拟采取的措施及需要的支持', en: 'Planned measures and help requested' } },
  { id: 'scene_protection', art7: 7, label: { 'zh-CN': '现场保护情况', en: 'Protection of the scene' } },
  { id: 'other', art7: 8, label: { 'zh-CN': '其他需要报告的情况', en: 'Anything else to report' } },
] as const satisfies readonly { id: string; art7: number; label: Localised }[];
export type InitialReportItem = (typeof INITIAL_REPORT_ITEMS)[number]['id'];

export interface ReportItemState {
  id: InitialReportItem;
  art7: number;
  mandatory: boolean;
  label: Localised;
  complete: boolean;
  /** The input fields still empty, so the form can point at them. */
  missingFields: string[];
}

export interface InitialReportDraft {
  status: 'draft';
  content: InitialReportInput;
  items: ReportItemState[];
  /** Mandatory items still incomplete: sending the report anyway needs a stated reason. */
  missing: InitialReportItem[];
  /** Items (1) and (2), which go first when the rest is not known yet, and whether they are complete. */
  first: { items: InitialReportItem[]; complete: boolean };
}

/** Which input fields each item needs; an item is complete when none of them is empty. */
function itemFields(input: InitialReportInput): Record<InitialReportItem, [string, boolean][]> {
  const r = input.ransomware;
  return {
    unit_and_systems: [
      ['unit', blank(input.unit)],
      ['systems', input.systems.every(blank)],
    ],
    discovery: [
      ['discoveredAt', input.discoveredAt === undefined],
      ['discoveryPlace', blank(input.discoveryPlace)],
    ],
    type_grade_impact: [
      ['category', input.category === undefined],
      ['grade', input.grade === 'unrated'],
      ['impact', blank(input.impact)],
    ],
    measures_and_effect: [
      ['measuresTaken', blank(input.measuresTaken)],
      ['measuresEffect', blank(input.measuresEffect)],
    ],
    ransomware:
      r === undefined
        ? []
        : [
            ['ransomware.amount', blank(r.amount)],
            ['ransomware.paymentMethod', blank(r.paymentMethod)],
            ['ransomware.date', blank(r.date)],
          ],
    further_harm: [['furtherHarm', blank(input.furtherHarm)]],
    preliminary_cause: [['preliminaryCause', blank(input.preliminaryCause)]],
    // Any one lead is worth reporting; an attack without an attacker, path or hole is rare.
    investigation_leads: [['leads', blank(input.leads?.attacker) && blank(input.leads?.path) && blank(input.leads?.vulnerabilities)]],
    planned_measures_and_help: [
      ['plannedMeasures', blank(input.plannedMeasures)],
      ['helpRequested', blank(input.helpRequested)],
    ],
    scene_protection: [['sceneProtection', blank(input.sceneProtection)]],
    other: [],
  };
}

/** Assembles the initial report and flags every item that is still incomplete. */
export function draftInitialReport(input: InitialReportInput): InitialReportDraft {
  const fields = itemFields(input);
  const items = INITIAL_REPORT_ITEMS.filter((i) => i.id !== 'ransomware' || input.ransomware !== undefined).map((i) => {
    const missingFields = fields[i.id].filter(([, empty]) => empty).map(([name]) => name);
    return { id: i.id, art7: i.art7, mandatory: i.id !== 'other', label: i.label, complete: missingFields.length === 0, missingFields };
  });
  const first = items.filter((i) => i.art7 <= 2);
  return {
    status: 'draft',
    content: input,
    items,
    missing: items.filter((i) => i.mandatory && !i.complete).map((i) => i.id),
    first: { items: first.map((i) => i.id), complete: first.every((i) => i.complete) },
  };
}

/**
 * Whether a report may be marked submitted: with every mandatory item, or with a stated reason
 * for the ones missing (typically: the rest is not known yet, items (1) and (2) go first).
 */
export function submissionCheck(draft: InitialReportDraft, missingReason: string | undefined): { ok: true } | { ok: false; missing: InitialReportItem[] } {
  if (draft.missing.length === 0 || !blank(missingReason)) return { ok: true };
  return { ok: false, missing: draft.missing };
}

// ── closing summary ─────────────────────────────────────────────────────────────────────────

export const SUMMARY_ITEMS = [
  { id: 'cause', label: { 'zh-CN': '事件原因', en: 'Cause' } },
  { id: 'measures', label: { 'zh-CN': '处置措施', en: 'Measures taken' } },
  { id: 'harm', label: { 'zh-CN': '造成的危害', en: 'Harm done' } },
  { id: 'accountability', label: { 'zh-CN': '责任处理', en: 'Accountability' } },
  { id: 'remediation', label: { 'zh-CN': '整改情况', en: 'Remediation' } },
  { id: 'lessons', label: { 'zh-CN': '经验教训', en: 'Lessons learned' } },
] as const satisfies readonly { id: string; label: Localised }[];
export type SummaryItem = (typeof SUMMARY_ITEMS)[number]['id'];
export type ClosingSummary = Partial<Record<SummaryItem, string>>;

export const summaryGaps = (summary: ClosingSummary): SummaryItem[] => SUMMARY_ITEMS.map((i) => i.id).filter((id) => blank(summary[id]));

// ── report status ───────────────────────────────────────────────────────────────────────────

export const REPORT_STATUSES = ['draft', 'initial_submitted', 'supplementary', 'final'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

// Supplements may follow each other (every major development is reported); final ends it.
const REPORT_NEXT: Record<ReportStatus, readonly ReportStatus[]> = {
  draft: ['initial_submitted'],
  initial_submitted: ['supplementary', 'final'],
  supplementary: ['supplementary', 'final'],
  final: [],
};

export type ReportAdvance =
  | { ok: true; next: ReportStatus }
  | { ok: false; allowed: ReportStatus[]; reason: 'illegal_transition' | 'summary_incomplete'; missing?: SummaryItem[] };

/** Moves a report on; the final report needs a complete closing summary. */
export function advanceReport(current: ReportStatus, target: ReportStatus, summary?: ClosingSummary): ReportAdvance {
  const allowed = [...REPORT_NEXT[current]];
  if (!allowed.includes(target)) return { ok: false, allowed, reason: 'illegal_transition' };
  if (target === 'final') {
    const missing = summaryGaps(summary ?? {});
    if (missing.length > 0) return { ok: false, allowed, reason: 'summary_incomplete', missing };
  }
  return { ok: true, next: target };
}

// ── PIPL Art. 57 ────────────────────────────────────────────────────────────────────────────

export interface PiplNotice {
  /** What both the authority and the individuals are told. */
  content: {
    piTypes?: string[];
    cause?: string;
    possibleHarm?: string;
    remedies?: string;
    /** What individuals can do themselves to reduce the harm. */
    individualSteps?: string;
    contact?: string;
  };
  authority?: { name: string; notifiedAt: Date };
  /**
   * Individuals may go unnotified only when the measures taken effectively avoided harm; the
   * record then says which measures. The authority can still require notification.
   */
  individuals?: { notified: true; notifiedAt: Date; channel: string } | { notified: false; harmAvoidedBy: string };
}

export type PiplGap =
  | 'pi_types'
  | 'cause'
  | 'possible_harm'
  | 'remedies'
  | 'individual_steps'
  | 'contact'
  | 'authority_notified'
  | 'individuals_decision'
  | 'individuals_channel'
  | 'harm_avoided_by';

/** What the Art. 57 record still lacks; empty when the duty is met. */
export function piplNoticeGaps(notice: PiplNotice): PiplGap[] {
  const c = notice.content;
  const gaps: [PiplGap, boolean][] = [
    ['pi_types', (c.piTypes ?? []).every(blank)],
    ['cause', blank(c.cause)],
    ['possible_harm', blank(c.possibleHarm)],
    ['remedies', blank(c.remedies)],
    ['individual_steps', blank(c.individualSteps)],
    ['contact', blank(c.contact)],
    ['authority_notified', notice.authority === undefined || blank(notice.authority.name)],
    ['individuals_decision', notice.individuals === undefined],
    ['individuals_channel', notice.individuals?.notified === true && blank(notice.individuals.channel)],
    ['harm_avoided_by', notice.individuals?.notified === false && blank(notice.individuals.harmAvoidedBy)],
  ];
  return gaps.filter(([, missing]) => missing).map(([gap]) => gap);
}
