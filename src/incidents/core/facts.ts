/** National incident grade: I 特别重大, II 重大, III 较大, IV 一般. */
export const INCIDENT_GRADES = ['I', 'II', 'III', 'IV'] as const;
export type IncidentGrade = (typeof INCIDENT_GRADES)[number];

/** What the compliance audit sees of a graded incident: its reporting and closing times. */
export interface IncidentFacts {
  id: string;
  title?: string;
  grade: IncidentGrade;
  /** Registered assets the incident touched; decides whether the CII reporting deadline applies. */
  assetIds?: string[];
  discoveredAt: string;
  reportedAt?: string;
  /** Handling ended (recovery under verification); the closing summary's 30 days run from here (reporting measures Art. 8). */
  handlingEndedAt?: string;
  /** The ticket was closed: later than the end of handling, and not what the summary clock counts from. */
  closedAt?: string;
  summaryAt?: string;
  review?: { completedAt: string };
}
