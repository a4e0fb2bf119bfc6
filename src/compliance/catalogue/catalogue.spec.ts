import { join } from 'node:path';
import { CatalogueError, SOURCES, cslArticle2026, formatIssue, loadCatalogue, parseCatalogue, type Control } from './catalogue.js';
import { EVALUATORS } from './evaluators.js';

const DIR = join(process.cwd(), 'rules/compliance');

/** The problems parseCatalogue reports for the given files, formatted, or [] when it loads. */
function problems(...files: { file: string; text: string }[]): string[] {
  try {
    parseCatalogue(files);
    return [];
  } catch (e) {
    if (!(e instanceof CatalogueError)) throw e;
    return e.issues.map(formatIssue);
  }
}

const GOOD = `
controls:
  - id: DSL-21-TEST
    title: { zh-CN: 测试, en: Test }
    source: DSL
    article: "21"
    requirement: { zh-CN: 要求, en: Requirement }
    verification: verified
    applies_to: all_assets
    check: { evaluator: log_coverage_24h, params: { window_hours: 12 } }
    severity: low
    remediation: { zh-CN: 整改, en: Fix }
`;

describe('the shipped catalogue (rules/compliance)', () => {
  const controls: Control[] = loadCatalogue(DIR);

  it('loads without a single problem and holds at least 30 controls', () => {
    expect(controls.length).toBeGreaterThanOrEqual(30);
    expect(new Set(controls.map((c) => c.id)).size).toBe(controls.length);
  });

  it('cites every law, regulation and standard it knows of', () => {
    expect(new Set(controls.map((c) => c.source))).toEqual(new Set(Object.keys(SOURCES)));
  });

  it('names only registered evaluators, and uses every one of them', () => {
    const used = new Set(controls.flatMap((c) => (c.check.kind === 'automatic' ? [c.check.evaluator] : [])));
    for (const name of used) expect(EVALUATORS.has(name)).toBe(true);
    expect([...EVALUATORS.keys()].filter((n) => !used.has(n))).toEqual([]);
  });

  it('gives every Cybersecurity Law control both numberings, the one in force as its article', () => {
    const csl = controls.filter((c) => c.source === 'CSL');
    expect(csl.length).toBeGreaterThanOrEqual(10);
    for (const c of csl) {
      expect([c.id, c.article2016 !== undefined, c.article2026 !== undefined]).toEqual([c.id, true, true]);
      expect(c.article).toBe(c.article2026);
      expect(c.article2026Verification).toBe('secondary');
    }
    const logs = csl.find((c) => c.id === 'CSL-21-LOG-RETENTION')!;
    expect([logs.article2016, logs.article2026]).toEqual(['21', '23']);
    expect(logs.check).toEqual({ kind: 'automatic', evaluator: 'retention_configured', params: { minDays: 184 } });
  });

  it('cites each duty at the article that sets it', () => {
    const cite = (id: string) => {
      const c = controls.find((x) => x.id === id);
      return c && [c.source, c.article2016 ?? c.article];
    };
    // CSL 2016 Art. 35: security review of purchases; Art. 36 (2026: 38): supplier confidentiality agreements
    expect(cite('CSL-35-CII-PROCUREMENT-REVIEW')).toEqual(['CSL', '35']);
    expect(cite('CSL-36-CII-SUPPLIER-AGREEMENT')).toEqual(['CSL', '36']);
    expect(controls.find((c) => c.id === 'CSL-35-CII-PROCUREMENT-REVIEW')!.requirement['zh-CN']).not.toMatch(/保密协议/);
    // PIPL Art. 36: personal data processed by state organs stays in China; no standard contracts for them
    expect(cite('PIPL-36-PI-LOCALISATION')).toEqual(['PIPL', '36']);
    expect(JSON.stringify(controls.find((c) => c.id === 'PIPL-36-PI-LOCALISATION'))).not.toMatch(/标准合同|standard contract/);
    // PIPL Art. 57: the notice has three items
    expect(controls.find((c) => c.id === 'PIPL-57-LEAK-NOTIFICATION')!.requirement['zh-CN']).toMatch(/三项/);
    // NDSR Art. 29(2) identification, Art. 30 lead from management, Art. 33 yearly assessment (not DSL 21/27/30)
    expect(cite('NDSR-29-IMPORTANT-DATA-IDENTIFIED')).toEqual(['NDSR', '29(2)']);
    expect(cite('NDSR-30-SECURITY-LEAD')).toEqual(['NDSR', '30']);
    expect(cite('NDSR-33-RISK-ASSESSMENT')).toEqual(['NDSR', '33']);
    expect(controls.filter((c) => c.source === 'DSL' && ['27', '30'].includes(c.article ?? ''))).toEqual([]);
    expect(controls.find((c) => c.id === 'DSL-21-DATA-CLASSIFICATION')!.requirement['zh-CN']).not.toMatch(/重要数据/);
    // CSL Art. 21 sets no asset-inventory duty and Art. 25 no post-incident review: GB/T 22239-2019 does (clauses recalled)
    expect(cite('CSL-21-ASSET-INVENTORY')).toEqual(['GB_T_22239', null]);
    expect(cite('CSL-25-POST-INCIDENT-REVIEW')).toEqual(['GB_T_22239', null]);
    // PIPL Art. 26 keeps the separate-consent exception
    expect(controls.find((c) => c.id === 'PIPL-26-PUBLIC-CAMERAS')!.requirement['zh-CN']).toMatch(/单独同意/);
    // NDSR Art. 31 keeps its exception for provisions that fulfil a statutory duty
    expect(controls.find((c) => c.id === 'NDSR-31-PRE-PROVISION-ASSESSMENT')!.requirement['zh-CN']).toMatch(/法定职责/);
  });

  it('keeps the reference\'s tags: controls resting on secondary or recalled facts are marked', () => {
    const tag = (id: string) => controls.find((c) => c.id === id)?.verification;
    expect(tag('NDSR-30-SECURITY-LEAD')).toBe('verified');
    expect(tag('MLPS-15-FILING')).toBe('secondary');
    expect(tag('INC-REPORT-DEADLINE')).toBe('secondary');
    expect(tag('AUTO-IN-CHINA-ANONYMISED-REPORTED')).toBe('recalled');
    // an article may be missing only for facts not read in the primary text
    expect(controls.filter((c) => c.article === null && c.verification === 'verified')).toEqual([]);
  });

  it('carries the reporting deadlines of Art. 4 of the reporting measures as parameters, the reporter following the settings', () => {
    const c = controls.find((x) => x.id === 'INC-REPORT-DEADLINE')!;
    expect([c.source, c.article]).toEqual(['INCIDENT_REPORTING', '4']);
    expect(c.check.kind === 'automatic' && c.check.params).toEqual({
      deadlineHours: { cii_operator: 1, central_organ: 2, other_operator: 4 },
      reporter: 'settings',
      grades: ['I', 'II', 'III'],
    });
  });
});

describe('cslArticle2026', () => {
  it.each([
    ['2', '2'],
    ['18', '19'],
    ['19', '21'],
    ['21', '23'],
    ['25', '27'],
    ['40', '42'],
    ['59', '61'],
    ['35–36', '37–38'],
    ['21(3)', '23(3)'],
  ])('2016 article %s is article %s in 2026', (a2016, a2026) => {
    expect(cslArticle2026(a2016)).toBe(a2026);
  });
});

describe('catalogue validation', () => {
  const file = (text: string, name = 'rules/compliance/test.yml') => ({ file: name, text });

  it('accepts a well-formed control and fills in the evaluator parameters', () => {
    const [c] = parseCatalogue([file(GOOD)]);
    expect(c).toMatchObject({ id: 'DSL-21-TEST', source: 'DSL', article: '21', appliesTo: 'all_assets', check: { kind: 'automatic', params: { windowHours: 12 } } });
  });

  it('names the file, the control and the field of each problem', () => {
    const bad = GOOD.replace('severity: low', 'severity: urgent')
      .replace('window_hours: 12', 'window_hours: 0, windw: 3')
      .replace('{ zh-CN: 整改, en: Fix }', '{ zh-CN: Fix, en: 整改 }')
      .replace('verification: verified', 'verification: verified\n    colour: red');
    expect(problems(file(bad))).toEqual([
      'rules/compliance/test.yml: DSL-21-TEST: colour: unknown field',
      'rules/compliance/test.yml: DSL-21-TEST: check.params.window_hours: must be an integer from 1 to 720',
      'rules/compliance/test.yml: DSL-21-TEST: check.params.windw: unknown parameter',
      'rules/compliance/test.yml: DSL-21-TEST: severity: must be one of low, medium, high, critical',
      'rules/compliance/test.yml: DSL-21-TEST: remediation.zh-CN: contains no Chinese',
    ]);
  });

  it('points at a control by position when its id is unusable', () => {
    expect(problems(file(GOOD.replace('id: DSL-21-TEST', 'id: dsl 21')))).toEqual([
      'rules/compliance/test.yml: controls[0]: id: must be upper-case words joined by hyphens, like CSL-21-LOG-RETENTION',
    ]);
  });

  it('refuses a duplicate id, naming where it was first defined', () => {
    expect(problems(file(GOOD, 'a.yml'), file(GOOD, 'b.yml'))).toEqual(['b.yml: DSL-21-TEST: id: duplicate id (first defined in a.yml)']);
  });

  it('refuses unknown evaluators and evaluators whose scope does not fit the selector', () => {
    expect(problems(file(GOOD.replace('log_coverage_24h', 'log_coverage_48h')))).toEqual([
      expect.stringMatching(/^rules\/compliance\/test\.yml: DSL-21-TEST: check\.evaluator: unknown evaluator "log_coverage_48h" \(known: retention_configured, /),
    ]);
    expect(problems(file(GOOD.replace('applies_to: all_assets', 'applies_to: monitor')))).toEqual([
      'rules/compliance/test.yml: DSL-21-TEST: applies_to: log_coverage_24h checks assets; choose an asset selector, not monitor',
    ]);
    const single = GOOD.replace('{ evaluator: log_coverage_24h, params: { window_hours: 12 } }', '{ evaluator: retention_configured }');
    expect(problems(file(single))).toEqual([
      'rules/compliance/test.yml: DSL-21-TEST: applies_to: retention_configured checks the monitor or organisation as a whole; use monitor or organisation',
    ]);
  });

  it('validates parameters per evaluator', () => {
    const withCheck = (check: string) => GOOD.replace('{ evaluator: log_coverage_24h, params: { window_hours: 12 } }', check).replace('applies_to: all_assets', 'applies_to: organisation');
    expect(problems(file(withCheck('{ evaluator: incident_reported_in_time, params: { deadline_hours: { cii_operator: 1, other: 4 }, reporter: cii_operator, grades: [III, V] } }')))).toEqual([
      'rules/compliance/test.yml: DSL-21-TEST: check.params.deadline_hours.other: unknown key (expected cii_operator, central_organ, other_operator)',
      'rules/compliance/test.yml: DSL-21-TEST: check.params.deadline_hours.central_organ: required',
      'rules/compliance/test.yml: DSL-21-TEST: check.params.deadline_hours.other_operator: required',
      'rules/compliance/test.yml: DSL-21-TEST: check.params.reporter: must be one of settings, central_organ, other_operator',
      'rules/compliance/test.yml: DSL-21-TEST: check.params.grades: must be a non-empty list of distinct values from I, II, III, IV',
    ]);
    const assessment = GOOD.replace('{ evaluator: log_coverage_24h, params: { window_hours: 12 } }', '{ evaluator: assessment_within_period, params: { assessment: cii_risk } }');
    expect(problems(file(assessment))).toEqual(['rules/compliance/test.yml: DSL-21-TEST: check.params.period_days or period_days_by_mlps_level: give at least one']);
  });

  it('checks manual attestations', () => {
    const manual = GOOD.replace('{ evaluator: log_coverage_24h, params: { window_hours: 12 } }', '{ manual: { evidence: a document, validity_days: 0 } }');
    expect(problems(file(manual))).toEqual([
      'rules/compliance/test.yml: DSL-21-TEST: check.manual.evidence: must be a map with zh-CN and en',
      'rules/compliance/test.yml: DSL-21-TEST: check.manual.validity_days: must be an integer from 1 to 3650',
    ]);
    expect(problems(file(GOOD.replace('check: { evaluator: log_coverage_24h, params: { window_hours: 12 } }', 'check: { evaluator: data_classified, manual: {} }')))).toEqual([
      'rules/compliance/test.yml: DSL-21-TEST: check: must have either `evaluator` (with optional `params`) or `manual`',
    ]);
  });

  it('demands both numberings on Cybersecurity Law controls, and that they agree', () => {
    const csl = GOOD.replace('source: DSL', 'source: CSL').replace('article: "21"', 'article: "23"\n    article2016: "21"\n    article2026: "22"');
    expect(problems(file(csl))).toEqual([
      'rules/compliance/test.yml: DSL-21-TEST: article2026_verification: required',
      'rules/compliance/test.yml: DSL-21-TEST: article2026: 22 does not follow from 2016 article 21 (expected 23)',
      'rules/compliance/test.yml: DSL-21-TEST: article: must be the numbering in force (22)',
    ]);
    expect(problems(file(GOOD.replace('source: DSL', 'source: CSL')))).toEqual([
      'rules/compliance/test.yml: DSL-21-TEST: article2016: required',
      'rules/compliance/test.yml: DSL-21-TEST: article2026: required',
      'rules/compliance/test.yml: DSL-21-TEST: article2026_verification: required',
    ]);
    expect(problems(file(GOOD.replace('article: "21"', 'article: "21"\n    article2016: "21"')))).toEqual([
      'rules/compliance/test.yml: DSL-21-TEST: article2016: only Cybersecurity Law (CSL) controls have two numberings',
    ]);
  });

  it('allows a missing article number only for facts not read in the primary text', () => {
    expect(problems(file(GOOD.replace('article: "21"', 'article: null')))).toEqual(['rules/compliance/test.yml: DSL-21-TEST: article: may be null only for secondary or recalled facts']);
    expect(problems(file(GOOD.replace('article: "21"', 'article: null').replace('verification: verified', 'verification: recalled')))).toEqual([]);
    expect(problems(file(GOOD.replace('article: "21"', 'article: Art. 21')))).toEqual([
      'rules/compliance/test.yml: DSL-21-TEST: article: must be an article number like 21, 62(4), 10–11 or 28–29, 31',
    ]);
  });

  it('reports a file that is not YAML, or not a control list', () => {
    expect(problems(file('controls: [\n  - id: X'))).toEqual([expect.stringMatching(/^rules\/compliance\/test\.yml: \(yaml\): /)]);
    expect(problems(file('- id: X'))).toEqual(['rules/compliance/test.yml: controls: the file must be a map with a `controls` list']);
  });

  it('collects the problems of every file before failing', () => {
    const err = (() => {
      try {
        parseCatalogue([file('- x', 'a.yml'), file(GOOD.replace('severity: low', ''), 'b.yml')]);
      } catch (e) {
        return e as CatalogueError;
      }
    })();
    expect(err).toBeInstanceOf(CatalogueError);
    expect(err!.message).toBe('compliance catalogue: 2 problem(s)\na.yml: controls: the file must be a map with a `controls` list\nb.yml: DSL-21-TEST: severity: required');
  });
});
