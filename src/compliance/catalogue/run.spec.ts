import { join } from 'node:path';
import { loadCatalogue, parseCatalogue } from './catalogue.js';
import type { AssetFacts, FactsSnapshot } from './facts.js';
import { evaluateControl } from './run.js';
import { ASSET_SELECTORS, AUTOMOTIVE_TAG, appliesTo, type AssetSelector } from './selector.js';

function asset(id: string, over: Partial<AssetFacts> = {}): AssetFacts {
  return {
    id,
    name: id,
    type: 'server',
    department: '数据局',
    contact: { name: '王工', phone: '13800000000' },
    securityContact: null,
    addresses: [],
    zone: null,
    mlps: null,
    cii: { designated: false },
    data: { categories: ['办公'], level: 'general', personal: 'none' },
    storageLocation: 'in_china',
    criticality: 'medium',
    lifecycle: 'active',
    tags: [],
    ...over,
  };
}

const ASSETS: AssetFacts[] = [
  asset('plain'),
  asset('portal-l2', { mlps: { level: 2 }, data: { categories: ['户籍'], level: 'general', personal: 'personal' } }),
  asset('hospital-l3', { mlps: { level: 3 }, data: { categories: ['病历'], level: 'important', personal: 'sensitive' } }),
  asset('water-cii', { mlps: { level: 4 }, cii: { designated: true }, data: { categories: ['水务'], level: 'core', personal: 'none' } }),
  // NDSR Art. 28: personal information of more than ten million people carries important-data duties
  asset('big-pi', { data: { categories: ['社保'], level: 'general', personal: 'personal', subjects: 12_000_000 } }),
  asset('parking', { tags: [AUTOMOTIVE_TAG] }),
  asset('charging', { automotive: { anonymisationRecorded: true } }),
  asset('cam-square', { type: 'camera', camera: { publicPlace: true } }),
  asset('cam-unknown', { type: 'camera' }),
  asset('cam-office', { type: 'camera', camera: { publicPlace: false } }),
  asset('old-cii', { lifecycle: 'retired', cii: { designated: true }, mlps: { level: 3 } }),
];

describe('applies_to selectors', () => {
  it.each<[AssetSelector, string[]]>([
    ['all_assets', ['plain', 'portal-l2', 'hospital-l3', 'water-cii', 'big-pi', 'parking', 'charging', 'cam-square', 'cam-unknown', 'cam-office']],
    ['cii', ['water-cii']],
    ['mlps_gte_2', ['portal-l2', 'hospital-l3', 'water-cii']],
    ['mlps_gte_3', ['hospital-l3', 'water-cii']],
    ['important_data', ['hospital-l3', 'water-cii', 'big-pi']],
    ['personal_data', ['portal-l2', 'hospital-l3', 'big-pi']],
    ['sensitive_personal_data', ['hospital-l3']],
    ['automotive_data', ['parking', 'charging']],
    // a camera whose placement is unknown counts as public
    ['public_cameras', ['cam-square', 'cam-unknown']],
  ])('%s picks %j (never a retired system)', (selector, ids) => {
    expect(ASSETS.filter((a) => appliesTo(selector, a)).map((a) => a.id)).toEqual(ids);
  });

  it('covers every asset selector', () => {
    expect(ASSET_SELECTORS).toHaveLength(9);
  });
});

function snapshot(assets: AssetFacts[]): FactsSnapshot {
  return {
    now: '2026-06-30T04:00:00Z',
    organisation: { id: 'org', name: '某县' },
    assets,
    settings: { retentionDays: 90, lockoutThreshold: 5, lockoutMinutes: 30 },
    events: { oldestEventAt: '2025-12-01T00:00:00Z', lastEventAtByAsset: { plain: '2026-06-30T03:00:00Z' }, foreignConnectionsByAsset: {} },
    unregisteredHosts: [],
    incidents: [],
    auditChain: { ok: true, checked: 10 },
  };
}

const control = (appliesTo: string, check: string) =>
  parseCatalogue([
    {
      file: 't.yml',
      text: `controls:
  - id: T-1
    title: { zh-CN: 测试, en: Test }
    source: DSL
    article: "21"
    requirement: { zh-CN: 要求, en: Requirement }
    verification: verified
    applies_to: ${appliesTo}
    check: ${check}
    severity: low
    remediation: { zh-CN: 整改, en: Fix }
`,
    },
  ])[0];

describe('evaluateControl', () => {
  it('runs an asset check once per asset in scope', () => {
    const results = evaluateControl(control('mlps_gte_2', '{ evaluator: log_coverage_24h }'), snapshot(ASSETS));
    expect(results.map((r) => [r.subject.id, r.status])).toEqual([
      ['portal-l2', 'fail'],
      ['hospital-l3', 'fail'],
      ['water-cii', 'fail'],
    ]);
  });

  it('reports an empty scope as not applicable for the organisation', () => {
    expect(evaluateControl(control('sensitive_personal_data', '{ evaluator: log_coverage_24h }'), snapshot([asset('plain')]))).toEqual([
      {
        subject: { type: 'organisation', id: 'org', name: '某县' },
        status: 'not_applicable',
        evidence: { assetsInScope: 0, appliesTo: 'sensitive_personal_data' },
        message: { 'zh-CN': '没有适用该控制项的资产。', en: 'No asset falls under this control.' },
      },
    ]);
  });

  it('runs a monitor check once, on the organisation', () => {
    expect(evaluateControl(control('monitor', '{ evaluator: retention_configured, params: { min_days: 184 } }'), snapshot(ASSETS))).toEqual([
      {
        subject: { type: 'organisation', id: 'org', name: '某县' },
        status: 'fail',
        evidence: { retentionDays: 90, minDays: 184 },
        message: { 'zh-CN': '事件只保留 90 天，少于要求的 184 天。', en: 'Events are kept only 90 days, fewer than the required 184.' },
      },
    ]);
  });

  it('asks for an attestation per subject of a manual control', () => {
    const manual = "{ manual: { evidence: { zh-CN: 备份记录, en: 'backup records' }, validity_days: 90 } }";
    const perAsset = evaluateControl(control('cii', manual), snapshot(ASSETS));
    expect(perAsset.map((r) => [r.subject.id, r.status, r.evidence.validityDays])).toEqual([['water-cii', 'needs_attestation', 90]]);
    expect(perAsset[0].message.en).toBe('Needs attestation; attach: backup records (valid 90 days).');
    expect(evaluateControl(control('organisation', manual), snapshot(ASSETS)).map((r) => r.subject)).toEqual([{ type: 'organisation', id: 'org', name: '某县' }]);
  });

  it('runs every shipped control over a snapshot with a result and a bilingual message for each subject', () => {
    const results = loadCatalogue(join(process.cwd(), 'rules/compliance')).flatMap((c) => evaluateControl(c, snapshot(ASSETS)).map((r) => ({ id: c.id, ...r })));
    for (const r of results) {
      expect(['pass', 'fail', 'not_applicable', 'needs_attestation']).toContain(r.status);
      expect([r.id, r.message['zh-CN'].length > 0, r.message.en.length > 0]).toEqual([r.id, true, true]);
    }
    const statusOf = (id: string, subject: string) => results.find((r) => r.id === id && r.subject.id === subject)?.status;
    expect(statusOf('CSL-21-LOG-RETENTION', 'org')).toBe('fail');
    expect(statusOf('CSL-21-LOG-COVERAGE', 'plain')).toBe('pass');
    expect(statusOf('MLPS-15-FILING', 'portal-l2')).toBe('fail');
    expect(statusOf('PIPL-26-PUBLIC-CAMERAS', 'cam-unknown')).toBe('fail');
    expect(statusOf('INC-REPORT-DEADLINE', 'org')).toBe('not_applicable');
  });
});
