import type { IncidentFacts } from '../../incidents/core/index.js';
import type { ASSET_TYPES, CRITICALITIES, DATA_LEVELS, LIFECYCLES, PERSONAL_DATA, STORAGE_LOCATIONS } from '../../assets/vocabulary.js';

/**
 * Everything the automatic checks may look at, gathered once per audit run. The evaluators are
 * pure functions of this snapshot, so an audit can be re-run from a stored snapshot and give the
 * same findings, and the snapshot itself is the evidence of what the monitor saw.
 *
 * Dates are strings: `YYYY-MM-DD` for calendar dates kept in the registry (read as Beijing days),
 * ISO 8601 instants elsewhere.
 */
export interface FactsSnapshot {
  /** When the snapshot was taken; every age and deadline is measured against it. */
  now: string;
  organisation: { id: string; name: string };
  /** When this Taishi instance started collecting; bounds how old the oldest event can be. */
  monitorInstalledAt?: string;
  assets: AssetFacts[];
  settings: { retentionDays: number; lockoutThreshold: number; lockoutMinutes: number; organisationType?: 'other_operator' | 'central_organ' };
  events: {
    oldestEventAt: string | null;
    /** Asset id → time of its latest stored event; an asset that never sent anything is absent. */
    lastEventAtByAsset: Record<string, string>;
    /** Asset id → connections to addresses outside China seen in its events. */
    foreignConnectionsByAsset: Record<string, { count: number; examples: string[] }>;
    /** Asset id → its lines of the last 24 hours and how many parsed to no known action (assets with lines only). */
    linesByAsset?: Record<string, { lines: number; unrecognised: number }>;
  };
  /** Hosts seen in events that match no registered asset. */
  unregisteredHosts: { address: string; eventCount: number }[];
  incidents: IncidentFacts[];
  auditChain: { ok: boolean; checked: number; firstBrokenId?: string };
}

export interface ContactFacts {
  name: string;
  email?: string;
  phone?: string;
}

// What incident handling tells the audit of its incidents is incident handling's vocabulary.
export { INCIDENT_GRADES, type IncidentFacts, type IncidentGrade } from '../../incidents/core/index.js';

export interface AssetFacts {
  // The registry's fields (src/assets), in the shape of its API.
  id: string;
  name: string;
  type: (typeof ASSET_TYPES)[number];
  department: string;
  contact: ContactFacts | null;
  securityContact: ContactFacts | null;
  addresses: string[];
  zone: string | null;
  mlps: { level: number; filingNumber?: string | null; filingDate?: string | null; lastAssessmentDate?: string | null } | null;
  cii: { designated: boolean; designationRef?: string | null };
  data: {
    categories: string[];
    level: (typeof DATA_LEVELS)[number];
    personal: (typeof PERSONAL_DATA)[number];
    /** The larger of what the owner declared and the distinct people seen in the asset's logs. */
    subjects?: number | null;
    /** Distinct people whose identifiers passed through the asset's logs (a lower bound). */
    peopleSeenInLogs?: number;
  };
  storageLocation: (typeof STORAGE_LOCATIONS)[number];
  criticality: (typeof CRITICALITIES)[number];
  lifecycle: (typeof LIFECYCLES)[number];
  tags: string[];

  // Not in the registry yet: the snapshot carries them when someone has recorded them, and the
  // checks that need them fail (or ask for attestation) when they are absent.
  goLiveDate?: string;
  /** When the MLPS level was decided (定级). */
  gradedDate?: string;
  emergencyPlan?: { version?: string; reviewedAt?: string; drilledAt?: string };
  dataSecurityLead?: { name: string; fromManagement?: boolean };
  /** Personal-information protection impact assessment (个人信息保护影响评估) on file. */
  piaReference?: string;
  maskingEnabled?: boolean;
  riskAssessments?: { cii?: string; importantData?: string };
  /** Export security assessment, standard contract or certification covering data sent abroad. */
  exportAssessmentRef?: string;
  automotive?: { anonymisationRecorded?: boolean; annualReportRecordedAt?: string };
  camera?: { publicPlace?: boolean; signage?: boolean; purpose?: string };
}
