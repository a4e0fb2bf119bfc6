import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { GradingTableError, loadGradingTable, parseGradingTable, proposeGrade, type GradingAsset, type GradingFacts, type GradingTable } from './grading.js';
import { formatIssue } from './validation.js';

const FILE = join(process.cwd(), 'rules/incidents/grading.yml');
const table: GradingTable = loadGradingTable(FILE);

const asset = (over: Partial<GradingAsset> = {}): GradingAsset => ({ id: 'a1', name: '水务监控平台', cii: false, mlpsLevel: 2, dataLevel: 'general', ...over });
const propose = (facts: Partial<GradingFacts>) => proposeGrade({ assets: [], ...facts }, table);
const fired = (facts: Partial<GradingFacts>) => propose(facts).rationale.map((r) => [r.rule, r.grade, r.basis]);

describe('the shipped grading table (rules/incidents/grading.yml)', () => {
  it('holds the thresholds of the reference with their tags', () => {
    expect(table.personalDataExposed).toEqual({
      especially_major: { atLeast: 100_000_000, basis: 'S' },
      major: { atLeast: 10_000_000, basis: 'S' },
      relatively_major: { atLeast: 1_000_000, basis: 'S' },
    });
    expect(table.ciiWholeOutage).toEqual({
      especially_major: { atLeast: 360, basis: 'S' },
      major: { atLeast: 120, basis: 'S-draft' },
      relatively_major: { atLeast: 30, basis: 'S-draft' },
    });
    expect(table.ciiMainFunctionOutage).toEqual({
      especially_major: { atLeast: 1440, basis: 'S' },
      major: { atLeast: 360, basis: 'S-draft' },
      relatively_major: { atLeast: 120, basis: 'S-draft' },
    });
    expect(table.portalOutage).toEqual({
      especially_major: { atLeast: 1440, minPortalLevel: 'provincial', basis: 'S' },
      major: { atLeast: 360, minPortalLevel: 'city', basis: 'S-draft' },
      relatively_major: { atLeast: 120, minPortalLevel: 'county', basis: 'S-draft' },
    });
    expect(table.peopleWithoutServices).toEqual({
      especially_major: { atLeast: 10_000_000, basis: 'S' },
      major: { atLeast: 1_000_000, basis: 'S-draft' },
      relatively_major: { atLeast: 100_000, basis: 'S-draft' },
    });
    expect(table.directLossYuan).toEqual({
      especially_major: { atLeast: 100_000_000, basis: 'S' },
      major: { atLeast: 20_000_000, basis: 'S-draft' },
      relatively_major: { atLeast: 5_000_000, basis: 'R' },
    });
  });

  it('marks every value that is not from the measures as local policy', () => {
    expect(table.affectedAssets).toEqual({ relatively_major: { atLeast: 10, basis: 'policy' } });
    expect(table.assetFloors.map((f) => f.basis)).toEqual(['policy', 'policy', 'policy', 'policy']);
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
    ['whole', 29, 'general'],
    ['whole', 30, 'relatively_major'],
    ['whole', 119, 'relatively_major'],
    ['whole', 120, 'major'],
    ['whole', 360, 'especially_major'],
    ['mainFunction', 119, 'general'],
    ['mainFunction', 120, 'relatively_major'],
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
    ['county', 119, 'general'],
    ['county', 120, 'relatively_major'],
    ['county', 1440, 'relatively_major'],
    ['city', 359, 'relatively_major'],
    ['city', 360, 'major'],
    ['city', 1440, 'major'],
    ['provincial', 1439, 'major'],
    ['provincial', 1440, 'especially_major'],
    ['national', 1440, 'especially_major'],
  ] as const)('proposes a %s portal unreachable for %i min as %s', (portal, minutes, grade) => {
    expect(propose({ assets: [asset({ portal, outageMinutes: { whole: minutes } })] }).grade).toBe(grade);
  });

  it('does not count a portal as down when only a function failed', () => {
    expect(propose({ assets: [asset({ portal: 'city', outageMinutes: { mainFunction: 2000 } })] }).grade).toBe('general');
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
    expect(propose({})).toEqual({ grade: 'unrated', rationale: [], unknown: ['dataCompromised', 'personalDataExposed', 'peopleWithoutServices', 'directLossYuan'] });
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
      'g.yml: portal_outage.relatively_major.min_portal_level: must be one of national, provincial, city, county',
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
