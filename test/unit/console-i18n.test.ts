import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { en } from '../../console/src/i18n/en.js';
import { zhCN } from '../../console/src/i18n/zh-CN.js';
import * as vocabulary from '../../console/src/core/vocabulary.js';
import { postureReasons } from '../../src/situation/posture.js';
import { INCIDENT_DEDUCTIONS } from '../../src/incidents/situation-sections.js';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
const webDir = path.resolve(import.meta.dirname, '../../console/src');
const sources = (dir: string): string[] =>
  readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    return statSync(full).isDirectory() ? sources(full) : full.endsWith('.ts') && !full.includes(`${path.sep}i18n${path.sep}`) ? [readFileSync(full, 'utf8')] : [];
  });

describe('console translations', () => {
  it('zh-CN and English have exactly the same keys, none empty', () => {
    expect(Object.keys(en).sort()).toEqual(Object.keys(zhCN).sort());
    for (const [key, text] of [...Object.entries(zhCN), ...Object.entries(en)]) expect({ key, empty: text.trim() === '' }).toEqual({ key, empty: false });
  });

  it('each message takes the same {placeholders} in both languages', () => {
    for (const key of Object.keys(zhCN) as (keyof typeof zhCN)[]) expect({ key, en: placeholders(en[key]) }).toEqual({ key, en: placeholders(zhCN[key]) });
  });

  it('names every value of every vocabulary the console shows', () => {
    const prefixed: [string, readonly string[]][] = [
      ['assetType', vocabulary.ASSET_TYPES],
      ['dataLevel', vocabulary.DATA_LEVELS],
      ['personalData', vocabulary.PERSONAL_DATA],
      ['storage', vocabulary.STORAGE_LOCATIONS],
      ['criticality', vocabulary.CRITICALITIES],
      ['lifecycle', vocabulary.LIFECYCLES],
      ['alertStatus', vocabulary.ALERT_STATUSES],
      ['level', vocabulary.ALERT_LEVELS],
      ['resolution', vocabulary.RESOLUTIONS],
      ['role', vocabulary.ROLES],
      ['posture.band', ['good', 'guarded', 'poor', 'critical']],
      ['incidentState', vocabulary.INCIDENT_STATES],
      ['protectState', vocabulary.PROTECT_STATES],
      ['phase', vocabulary.PHASES],
      ['grade', [...vocabulary.GRADES, 'unrated']],
      ['category', vocabulary.INCIDENT_CATEGORIES],
      ['priority', vocabulary.PRIORITIES],
      ['taskStatus', vocabulary.TASK_STATUSES],
      ['reportStatus', vocabulary.REPORT_STATUSES],
      ['reporterType', vocabulary.REPORTER_TYPES],
      ['checkStatus', vocabulary.CHECK_STATUSES],
      ['findingStatus', vocabulary.FINDING_STATUSES],
      ['findings.to', vocabulary.FINDING_STATUSES],
      ['law', vocabulary.LAWS],
      ['lawShort', vocabulary.LAWS],
      ['severity', vocabulary.SEVERITIES],
      ['verification', vocabulary.VERIFICATIONS],
      ['selector', vocabulary.SELECTORS],
    ];
    const missing = prefixed.flatMap(([prefix, values]) => values.map((v) => `${prefix}.${v}`)).filter((key) => !(key in zhCN));
    expect(missing).toEqual([]);
  });

  it('explains every posture reason the situation API can give', () => {
    const codes = postureReasons({ openAlerts: { critical: 1 }, ingest: { dropped: 1, failed: 1, storeUp: false, spooled: 1 }, unregisteredHosts: 1, ruleProblems: 1, classificationDrift: 1 }).map((r) => r.code);
    expect([...codes, ...Object.keys(INCIDENT_DEDUCTIONS)].filter((c) => !(`posture.reason.${c}` in zhCN))).toEqual([]);
  });

  it('has no user-visible text outside the catalogues', () => {
    // Han characters in code other than the catalogues would be untranslated text.
    const offenders = sources(webDir).flatMap((text) => text.split('\n').filter((line) => /[\u4e00-\u9fff]/.test(line) && !line.trim().startsWith('//') && !line.trim().startsWith('*') && !/label: '简体中文'/.test(line)));
    expect(offenders).toEqual([]);
  });
});

describe('API errors in the console', () => {
  it('come only from coded errors: no module throws an uncoded Nest HTTP exception', () => {
    const srcDir = path.resolve(import.meta.dirname, '../../src');
    const uncoded = (readdirSync(srcDir, { recursive: true }) as string[])
      .filter((f) => f.endsWith('.ts') && !f.endsWith('.spec.ts'))
      .flatMap((f) => readFileSync(path.join(srcDir, f), 'utf8').split('\n').flatMap((line, i) => (/\bnew \w*(Exception|HttpException)\(/.test(line) ? [`src/${f}:${i + 1}`] : [])));
    expect(uncoded).toEqual([]);
  });

  it('words every error code the service can answer with, in both languages, with the same {placeholders}', async () => {
    // Loading the application loads every module's error catalogue.
    await import('../../src/app.module.js');
    const { errorCatalogue } = await import('../../src/shared/index.js');
    const { UNEXPECTED_ERROR_CODE } = await import('../../src/common/http-errors.js');
    const codes = new Map([...errorCatalogue()].map(([code, definition]) => [code, placeholders(definition.message.en)]));
    codes.set(UNEXPECTED_ERROR_CODE, ['errorId']);
    expect(codes.size).toBeGreaterThan(30);
    const problems = [...codes].flatMap(([code, params]) => {
      const key = `apiError.${code}` as keyof typeof zhCN;
      if (!(key in zhCN)) return [`${code}: no console message`];
      return [zhCN[key], en[key]].filter((text) => placeholders(text).some((p) => !params.includes(p))).map((text) => `${code}: "${text}" needs a value the service does not send`);
    });
    expect(problems).toEqual([]);
  });
});
