import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GradingTableError, loadGradingTable, parseGradingTable, proposeGrade, type GradingAsset, type GradingFacts, type GradingTable } from './grading.js';
import { formatIssue } from './validation.js';

const FILE = join(process.cwd(), 'rules/incidents/grading.yml');
const table: GradingTable = loadGradingTable(FILE);

const asset = (over: Partial<GradingAsset> = {}): GradingAsset => ({ id: 'a1', name: '水务监控平台', cii: false, mlpsLevel: 2, dataLevel: 'general', ...over });
const propose = (facts: Partial<GradingFacts>) => proposeGrade({ assets: [], ...facts }, table);
const fired = (facts: Partial<GradingFacts>) => propose(facts).rationale.map((r) => [r.rule, r.grade, r.basis]);

const t = (atLeast: number, basis: string, source: string, article: string) => ({ atLeast, basis, source, article });

describe('the shipped grading table (rules/incidents/grading.yml), against the annex 《网络安全事件分级指南》', () => {
  it('holds the thresholds of the reference with their basis, source and article', () => {
    expect(table.personalDataExposed).toEqual({
      especially_major: t(100_000_000, 'S', 'final', '附件 一（通常情况）5'),
      major: t(10_000_000, 'S', 'final', '附件 二（通常情况）'),
      relatively_major: t(1_000_000, 'S', 'final', '附件 三（通常情况）'),
    });
    expect(table.ciiWholeOutage).toEqual({
      especially_major: t(360, 'S', 'final', '附件 一（通常情况）2'),
      major: t(120, 'S-draft', 'draft', '附件 二（通常情况）'),
      relatively_major: t(10, 'S', 'final', '附件 三（通常情况）'),
    });
    expect(table.ciiMainFunctionOutage).toEqual({
      especially_major: t(1440, 'S', 'final', '附件 一（通常情况）2'),
      major: t(360, 'S-draft', 'draft', '附件 二（通常情况）'),
      relatively_major: t(30, 'S', 'final', '附件 三（通常情况）'),
    });
    // The portal criteria start at prefecture level (地市级以上): no threshold names a county portal.
    expect(table.portalOutage).toEqual({
      especially_major: { ...t(1440, 'S', 'final', '附件 一（通常情况）1'), minPortalLevel: 'provincial' },
      major: { ...t(360, 'S', 'final', '附件 二（通常情况）'), minPortalLevel: 'prefecture' },
      relatively_major: { ...t(120, 'S-draft', 'draft', '附件 三（通常情况）'), minPortalLevel: 'prefecture' },
    });
    expect(table.peopleWithoutServices).toEqual({
      especially_major: t(10_000_000, 'S', 'final', '附件 一（通常情况）3'),
      major: t(1_000_000, 'S-draft', 'draft', '附件 二（通常情况）'),
      relatively_major: t(100_000, 'S-draft', 'draft', '附件 三（通常情况）'),
    });
    expect(table.populationShare.especially_major).toEqual({ ...t(50, 'S', 'final', '附件 一（通常情况）3'), scope: 'province' });
    expect(table.defacement.relatively_major).toEqual({
      homePageMinutes: 30,
      otherPagesMinutes: 120,
      reposts: 1000,
      views: 10_000,
      minPortalLevel: 'county',
      basis: 'S-draft',
      source: 'draft',
      article: '附件 三（通常情况）',
    });
    expect(table.directLossYuan).toEqual({
      especially_major: t(100_000_000, 'S', 'final', '附件 一（通常情况）7'),
      major: t(20_000_000, 'S-draft', 'draft', '附件 二（通常情况）'),
      relatively_major: t(5_000_000, 'S-draft', 'draft', '附件 三（通常情况）'),
    });
  });

  it('names the article of every threshold and tags every source', () => {
    const families = [table.personalDataExposed, table.ciiWholeOutage, table.ciiMainFunctionOutage, table.portalOutage, table.peopleWithoutServices, table.populationShare, table.defacement, table.directLossYuan, table.affectedAssets];
    for (const family of families)
      for (const threshold of Object.values(family)) {
        expect(threshold.article).not.toBe('');
        expect(['final', 'draft', 'policy']).toContain(threshold.source);
      }
  });

  it('marks every value that is not from the measures as local policy', () => {
    expect(table.affectedAssets).toEqual({ relatively_major: t(10, 'policy', 'policy', 'Taishi policy') });
    expect(table.assetFloors.map((f) => f.basis)).toEqual(['policy', 'policy', 'policy', 'policy']);
  });
});

describe('the annex, case by case (issue 14 acceptance)', () => {
  const portalDown = (portal: 'county' | 'prefecture' | 'provincial', minutes: number) => propose({ assets: [asset({ portal, outageMinutes: { whole: minutes } })] });

  it('grades a county portal down 3 h as 一般: the portal criterion starts at prefecture level (附件 三, 附件 四)', () => {
    const p = portalDown('county', 180);
    expect([p.grade, p.byCriteria, p.rationale.map((r) => [r.rule, r.article])]).toEqual(['general', 'general', [['baseline', '附件 四']]]);
  });

  it('grades a prefecture portal down 3 h as 较大 (附件 三, draft value 2 h)', () => {
    const p = portalDown('prefecture', 180);
    expect(p.grade).toBe('relatively_major');
    expect(p.rationale.map((r) => [r.rule, r.grade, r.source, r.article])).toEqual([['portal_outage', 'relatively_major', 'draft', '附件 三（通常情况）']]);
  });

  it('grades a prefecture portal down 6 h as 重大 and a provincial one down 24 h as 特别重大 (附件 二, 附件 一 1)', () => {
    expect(portalDown('prefecture', 360).grade).toBe('major');
    expect(portalDown('provincial', 1440).rationale[0]).toMatchObject({ grade: 'especially_major', source: 'final', article: '附件 一（通常情况）1' });
  });

  it('grades illegal content on a home page for 40 min as 较大 (附件 三, 30 min on the home page)', () => {
    const p = propose({ assets: [asset({ portal: 'county', defacement: { homePageMinutes: 40 } })] });
    expect(p.grade).toBe('relatively_major');
    expect(p.rationale[0]).toMatchObject({ rule: 'defacement', article: '附件 三（通常情况）' });
    expect(p.rationale[0].detail['zh-CN']).toContain('在主页上持续 40 分钟');
  });

  it.each([
    [{ homePageMinutes: 29 }, 'county', 'general'],
    [{ otherPagesMinutes: 120 }, 'county', 'relatively_major'],
    [{ reposts: 1000 }, 'county', 'relatively_major'],
    [{ views: 9999 }, 'county', 'general'],
    [{ homePageMinutes: 360 }, 'county', 'relatively_major'],
    [{ homePageMinutes: 360 }, 'provincial', 'especially_major'],
    [{ views: 1_000_000 }, 'provincial', 'especially_major'],
  ] as const)('grades defacement %j on a %s site as %s', (defacement, portal, grade) => {
    expect(propose({ assets: [asset({ portal, defacement })] }).grade).toBe(grade);
  });

  it.each([
    ['province', 50, 'especially_major'],
    ['province', 49, 'relatively_major'],
    ['prefecture', 50, 'major'],
    ['prefecture', 30, 'relatively_major'],
    ['prefecture', 29, 'general'],
  ] as const)('grades %s population share %i%% as %s (附件 一 3 and the prefecture criteria)', (scope, percent, grade) => {
    expect(propose({ populationShare: { scope, percent } }).grade).toBe(grade);
  });

  it('grades 10 million people without water, power, gas, oil, heating, transport, medical care or shopping as 特别重大 (附件 一 3)', () => {
    const p = propose({ peopleWithoutServices: 10_000_000 });
    expect(p.rationale[0]).toMatchObject({ grade: 'especially_major', article: '附件 一（通常情况）3' });
    expect(p.rationale[0].detail['zh-CN']).toContain('用油、取暖、交通出行、就医、购物');
  });

  it('counts a qualitative criterion the analyst judged met, and says so', () => {
    const p = propose({ qualitative: [{ criterion: 'system_loss', grade: 'relatively_major', note: '调度系统长时间降级' }] });
    expect([p.grade, p.byCriteria]).toEqual(['relatively_major', 'relatively_major']);
    expect(p.rationale[0]).toMatchObject({ rule: 'qualitative', source: 'final', article: '附件 三(1)–(3)' });
  });

  it('lets a policy floor raise the proposal but not the grade by the criteria', () => {
    const p = propose({ assets: [asset({ cii: true })] });
    expect([p.grade, p.byCriteria]).toEqual(['relatively_major', 'general']);
  });
});

describe('proposeGrade', () => {
  it.each([
    [999_999, 'general'],
    [1_000_000, 'relatively_major'],
    [9_999_999, 'relatively_major'],
    [10_000_000, 'major'],
    [99_999_999, 'major'],
    [100_000_000, 'especially_major'],
  ])('proposes %s people with exposed personal data as %s', (people, grade) => {
    expect(propose({ personalDataExposed: people }).grade).toBe(grade);
  });

  it.each([
    ['whole', 9, 'general'],
    ['whole', 10, 'relatively_major'],
    ['whole', 119, 'relatively_major'],
    ['whole', 120, 'major'],
    ['whole', 360, 'especially_major'],
    ['mainFunction', 29, 'general'],
    ['mainFunction', 30, 'relatively_major'],
    ['mainFunction', 360, 'major'],
    ['mainFunction', 1439, 'major'],
    ['mainFunction', 1440, 'especially_major'],
  ] as const)('proposes a CII %s outage of %i min as %s', (scope, minutes, grade) => {
    // The CII floor alone would give 较大, so it is measured on a table without floors.
    const noFloors = { ...table, assetFloors: [] };
    expect(proposeGrade({ assets: [asset({ cii: true, outageMinutes: { [scope]: minutes } })], dataCompromised: false }, noFloors).grade).toBe(grade);
  });

  it('ignores outage times of assets that are not CII', () => {
    expect(fired({ assets: [asset({ outageMinutes: { whole: 600, mainFunction: 2000 } })] })).toEqual([['baseline', 'general', 'S']]);
  });

  it.each([
    ['county', 120, 'general'],
    ['county', 1440, 'general'],
    ['prefecture', 119, 'general'],
    ['prefecture', 120, 'relatively_major'],
    ['prefecture', 359, 'relatively_major'],
    ['prefecture', 360, 'major'],
    ['prefecture', 1440, 'major'],
    ['provincial', 1439, 'major'],
    ['provincial', 1440, 'especially_major'],
    ['national', 1440, 'especially_major'],
  ] as const)('proposes a %s portal unreachable for %i min as %s', (portal, minutes, grade) => {
    expect(propose({ assets: [asset({ portal, outageMinutes: { whole: minutes } })] }).grade).toBe(grade);
  });

  it('does not count a portal as down when only a function failed', () => {
    expect(propose({ assets: [asset({ portal: 'prefecture', outageMinutes: { mainFunction: 2000 } })] }).grade).toBe('general');
  });

  it.each([
    ['peopleWithoutServices', 99_999, 'general'],
    ['peopleWithoutServices', 100_000, 'relatively_major'],
    ['peopleWithoutServices', 1_000_000, 'major'],
    ['peopleWithoutServices', 10_000_000, 'especially_major'],
    ['directLossYuan', 4_999_999, 'general'],
    ['directLossYuan', 5_000_000, 'relatively_major'],
    ['directLossYuan', 20_000_000, 'major'],
    ['directLossYuan', 100_000_000, 'especially_major'],
  ] as const)('proposes %s = %i as %s', (fact, value, grade) => {
    expect(propose({ [fact]: value }).grade).toBe(grade);
  });

  it('counts affected assets', () => {
    const assets = (n: number) => Array.from({ length: n }, (_, i) => asset({ id: `a${i}` }));
    expect(propose({ assets: assets(9) }).grade).toBe('general');
    expect(fired({ assets: assets(10) })).toEqual([['affected_assets', 'relatively_major', 'policy']]);
  });

  it.each([
    [{ cii: true }, false, 'relatively_major'],
    [{ mlpsLevel: 4 }, false, 'relatively_major'],
    [{ mlpsLevel: 3 }, true, 'general'],
    [{ mlpsLevel: null }, true, 'general'],
    [{ dataLevel: 'core' }, true, 'major'],
    [{ dataLevel: 'core' }, false, 'general'],
    [{ dataLevel: 'important' }, true, 'relatively_major'],
    [{ dataLevel: 'general' }, true, 'general'],
  ] as const)('applies the asset floors: %j with data compromised %s → %s', (over, dataCompromised, grade) => {
    expect(propose({ assets: [asset(over)], dataCompromised }).grade).toBe(grade);
  });

  it('takes the highest grade and lists every rule that fired', () => {
    const p = propose({
      assets: [asset({ id: 'cii-1', name: '供水调度系统', cii: true, outageMinutes: { whole: 150 } }), asset({ id: 'db-1', name: '人口库', dataLevel: 'important' })],
      dataCompromised: true,
      personalDataExposed: 2_500_000,
      directLossYuan: 100,
    });
    expect(p.grade).toBe('major');
    expect(p.rationale.map((r) => [r.rule, r.grade, r.assetId])).toEqual([
      ['personal_data_exposed', 'relatively_major', undefined],
      ['cii_whole_outage', 'major', 'cii-1'],
      ['asset_floor', 'relatively_major', 'cii-1'],
      ['asset_floor', 'relatively_major', 'db-1'],
    ]);
    expect(p.rationale[0].detail).toEqual({
      'zh-CN': '2,500,000 人的个人信息泄露，达到较大门槛（≥ 1,000,000）。',
      en: 'Personal information of 2,500,000 people exposed, at or above the Relatively major threshold (≥ 1,000,000).',
    });
    expect(p.rationale[1].detail).toEqual({
      'zh-CN': '供水调度系统（关键信息基础设施）整体中断运行 150 分钟，达到重大门槛（≥ 2 小时）。',
      en: '供水调度系统 (CII) was wholly out of operation for 150 min, at or above the Major threshold (≥ 2 h).',
    });
    expect(p.rationale[3].detail['zh-CN']).toBe('人口库：存有重要数据，数据遭泄露、篡改或窃取，建议至少定为较大。');
    expect(p.unknown).toEqual(['peopleWithoutServices']);
  });

  it('falls back to general when something is known but no rule fires', () => {
    const p = propose({ personalDataExposed: 10 });
    expect([p.grade, p.rationale.map((r) => r.rule)]).toEqual(['general', ['baseline']]);
    expect(p.unknown).toEqual(['dataCompromised', 'peopleWithoutServices', 'directLossYuan']);
  });

  it('leaves the grade unrated when nothing at all is known', () => {
    expect(propose({})).toEqual({ grade: 'unrated', byCriteria: 'unrated', rationale: [], unknown: ['dataCompromised', 'personalDataExposed', 'peopleWithoutServices', 'directLossYuan'] });
  });
});

describe('parseGradingTable', () => {
  const shipped = readFileSync(FILE, 'utf8');
  const problems = (text: string): string[] => {
    try {
      parseGradingTable(text, 'g.yml');
      return [];
    } catch (e) {
      if (!(e instanceof GradingTableError)) throw e;
      return e.issues.map(formatIssue);
    }
  };
  /** The shipped table with one top-level rule replaced (or removed, for `undefined`). */
  const withRule = (key: string, body: string | undefined) => {
    const rest = shipped.replace(new RegExp(`^${key}:\\n(?:(?:  .*|#.*)?\\n)*`, 'm'), '');
    return body === undefined ? rest : `${rest}\n${key}:\n${body}\n`;
  };

  it('reports each problem with its path', () => {
    expect(problems(withRule('cii_whole_outage', undefined))).toEqual(['g.yml: cii_whole_outage: required (write `{}` to switch the rule off)']);
    expect(problems(`${shipped}\nship_sunk: {}\n`)).toEqual([expect.stringMatching(/^g\.yml: ship_sunk: unknown rule \(known: personal_data_exposed, /)]);
    expect(problems(withRule('direct_loss_yuan', '  general: { at_least: 1, basis: S }'))).toEqual([
      'g.yml: direct_loss_yuan.general: general has no threshold: it is what an incident gets when no rule fires',
    ]);
    expect(problems(withRule('cii_whole_outage', '  major: { at_least: 2 hours, basis: S }\n  relatively_major: { at_least: 90s, basis: X }'))).toEqual([
      'g.yml: cii_whole_outage.major.at_least: must be a duration of whole minutes above 0, like 30m or 6h',
      'g.yml: cii_whole_outage.relatively_major.at_least: must be a duration of whole minutes above 0, like 30m or 6h',
      'g.yml: cii_whole_outage.relatively_major.basis: must be one of V, S, S-draft, R, policy',
    ]);
    expect(problems(withRule('personal_data_exposed', '  major: { at_least: 1000, basis: S }\n  relatively_major: { at_least: 5000, basis: S, note: x }'))).toEqual([
      'g.yml: personal_data_exposed.relatively_major.note: unknown field',
      "g.yml: personal_data_exposed.major.at_least: must be at least relatively_major's threshold (5000)",
    ]);
    expect(problems(withRule('portal_outage', '  major: { at_least: 6h, basis: S }\n  relatively_major: { at_least: 0.5h, min_portal_level: town, basis: S }'))).toEqual([
      'g.yml: portal_outage.major.min_portal_level: required',
      'g.yml: portal_outage.relatively_major.min_portal_level: must be one of national, provincial, prefecture, county',
    ]);
  });

  it('checks the asset floors', () => {
    const floors = [
      '  - { when: { cii: false }, grade: major, basis: policy }',
      '  - { when: {}, grade: general, basis: policy }',
      '  - { when: { mlps_level_at_least: 6, data_level_at_least: secret, zone: dmz } }',
    ].join('\n');
    expect(problems(withRule('asset_floors', floors))).toEqual([
      'g.yml: asset_floors[0].when.cii: must be true (leave it out otherwise)',
      'g.yml: asset_floors[1].grade: must be one of especially_major, major, relatively_major',
      'g.yml: asset_floors[1].when: must be a map with at least one of cii, mlps_level_at_least, data_level_at_least, data_compromised',
      'g.yml: asset_floors[2].grade: required',
      'g.yml: asset_floors[2].basis: required',
      'g.yml: asset_floors[2].when.mlps_level_at_least: must be an MLPS level from 1 to 5',
      'g.yml: asset_floors[2].when.data_level_at_least: must be one of general, important, core',
      'g.yml: asset_floors[2].when.zone: unknown condition (known: cii, mlps_level_at_least, data_level_at_least, data_compromised)',
    ]);
  });

  it('reports YAML that does not parse, and a document that is not a map', () => {
    expect(problems('personal_data_exposed: {')).toEqual([expect.stringMatching(/^g\.yml: \(yaml\): /)]);
    expect(problems('- 1')).toEqual(['g.yml: (root): must be a map of rules']);
  });

  it('accepts a rule switched off with {}', () => {
    const off = parseGradingTable(withRule('affected_assets', '  {}'), 'g.yml');
    expect(off.affectedAssets).toEqual({});
  });
});
