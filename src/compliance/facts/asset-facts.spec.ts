import type { Asset } from '../../assets/index.js';
import { toAssetFacts } from './asset-facts.js';

const asset = {
  id: '5b1f0c7e-0000-4000-8000-000000000001',
  name: '供水调度系统',
  type: 'server',
  department: '水务局',
  contactUserId: null,
  contact: { name: '张工', phone: '13800000000' },
  securityContact: null,
  addresses: ['10.1.1.5'],
  zone: '政务外网',
  mlpsLevel: 3,
  mlpsFilingNumber: '11010043001-24001',
  mlpsFilingDate: '2025-03-01',
  mlpsLastAssessment: null,
  cii: true,
  ciiDesignationRef: null,
  dataCategories: ['水质监测'],
  dataLevel: 'important',
  personalData: 'personal',
  personalDataSubjects: 2000,
  storageLocation: 'in_china',
  criticality: 'critical',
  lifecycle: 'active',
  tags: ['scada'],
} as unknown as Asset;

describe('toAssetFacts', () => {
  it('maps the registry entry into the shape the checks read', () => {
    const facts = toAssetFacts(asset, undefined, { maskingEnabled: true, peopleSeen: 0 });
    expect(facts).toEqual({
      id: asset.id,
      name: '供水调度系统',
      type: 'server',
      department: '水务局',
      contact: { name: '张工', phone: '13800000000' },
      securityContact: null,
      addresses: ['10.1.1.5'],
      zone: '政务外网',
      mlps: { level: 3, filingNumber: '11010043001-24001', filingDate: '2025-03-01', lastAssessmentDate: null },
      cii: { designated: true, designationRef: null },
      data: { categories: ['水质监测'], level: 'important', personal: 'personal', subjects: 2000, peopleSeenInLogs: 0 },
      storageLocation: 'in_china',
      criticality: 'critical',
      lifecycle: 'active',
      tags: ['scada'],
      maskingEnabled: true,
    });
    expect(toAssetFacts({ ...asset, mlpsLevel: null } as Asset, undefined, { maskingEnabled: false, peopleSeen: 0 })).toMatchObject({ mlps: null, maskingEnabled: false });
  });

  it('takes the people seen in the logs when they outnumber what the owner declared', () => {
    expect(toAssetFacts(asset, undefined, { maskingEnabled: true, peopleSeen: 15_000 }).data).toMatchObject({ subjects: 15_000, peopleSeenInLogs: 15_000 });
    expect(toAssetFacts(asset, undefined, { maskingEnabled: true, peopleSeen: 500 }).data).toMatchObject({ subjects: 2000, peopleSeenInLogs: 500 });
    expect(toAssetFacts({ ...asset, personalDataSubjects: null } as Asset, undefined, { maskingEnabled: true, peopleSeen: 0 }).data.subjects).toBeNull();
  });

  it('adds what was recorded for the audits', () => {
    const facts = toAssetFacts(asset, { emergencyPlan: { version: 'v3', reviewedAt: '2025-12-01', drilledAt: '2025-11-20' }, piaReference: 'PIA-2025-07', camera: { signage: true } }, { maskingEnabled: true, peopleSeen: 0 });
    expect(facts).toMatchObject({ emergencyPlan: { version: 'v3', reviewedAt: '2025-12-01', drilledAt: '2025-11-20' }, piaReference: 'PIA-2025-07', camera: { signage: true } });
    expect(facts.dataSecurityLead).toBeUndefined();
  });
});
