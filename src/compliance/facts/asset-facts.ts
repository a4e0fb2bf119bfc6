import type { Asset } from '../../assets/index.js';
import type { AssetFacts } from '../catalogue/index.js';

/**
 * What owners and compliance officers record about a system beyond the registry: the facts the
 * controls need that no log can show. Stored per asset in the shape of the facts snapshot.
 */
export type ComplianceRecord = Pick<
  AssetFacts,
  'goLiveDate' | 'gradedDate' | 'emergencyPlan' | 'dataSecurityLead' | 'piaReference' | 'riskAssessments' | 'exportAssessmentRef' | 'automotive' | 'camera'
>;

export const RECORD_FIELDS = ['goLiveDate', 'gradedDate', 'emergencyPlan', 'dataSecurityLead', 'piaReference', 'riskAssessments', 'exportAssessmentRef', 'automotive', 'camera'] as const satisfies readonly (keyof ComplianceRecord)[];

/** A registry entry as the audits read it: the asset without its bookkeeping. */
export type RegisteredAsset = Omit<Asset, 'contactUserId' | 'createdAt' | 'updatedAt'>;

/**
 * One asset as the checks see it: the registry entry, the compliance record, whether the monitor
 * masks personal data before storing it, and how many distinct people its logs have shown.
 */
export function toAssetFacts(asset: RegisteredAsset, record: ComplianceRecord | undefined, extras: { maskingEnabled: boolean; peopleSeen: number }): AssetFacts {
  const declared = asset.personalDataSubjects;
  const facts: AssetFacts = {
    id: asset.id,
    name: asset.name,
    type: asset.type,
    department: asset.department,
    contact: asset.contact ? { ...asset.contact } : null,
    securityContact: asset.securityContact ? { ...asset.securityContact } : null,
    addresses: [...asset.addresses],
    zone: asset.zone,
    mlps:
      asset.mlpsLevel === null
        ? null
        : { level: asset.mlpsLevel, filingNumber: asset.mlpsFilingNumber, filingDate: asset.mlpsFilingDate, lastAssessmentDate: asset.mlpsLastAssessment },
    cii: { designated: asset.cii, designationRef: asset.ciiDesignationRef },
    data: {
      categories: [...asset.dataCategories],
      level: asset.dataLevel,
      personal: asset.personalData,
      // The logs can prove more people than the owner declared, never fewer.
      subjects: extras.peopleSeen > (declared ?? 0) ? extras.peopleSeen : declared,
      peopleSeenInLogs: extras.peopleSeen,
    },
    storageLocation: asset.storageLocation,
    criticality: asset.criticality,
    lifecycle: asset.lifecycle,
    tags: [...asset.tags],
    maskingEnabled: extras.maskingEnabled,
  };
  for (const field of RECORD_FIELDS) {
    const value = record?.[field];
    if (value !== undefined && value !== null) Object.assign(facts, { [field]: value });
  }
  return facts;
}
