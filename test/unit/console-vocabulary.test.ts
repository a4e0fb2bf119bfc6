import * as web from '../../console/src/core/vocabulary.js';
import { ASSET_TYPES, CRITICALITIES, DATA_LEVELS, LIFECYCLES, PERSONAL_DATA, STORAGE_LOCATIONS } from '../../src/assets/vocabulary.js';
import { ROLES } from '../../src/shared/principal.js';
import { ALERT_STATUSES, RESOLUTIONS } from '../../src/detection/alerts/alert.js';
import { FILTER_FIELDS } from '../../src/events/event-store.js';
import { ALERT_LEVELS } from '../../src/situation/posture.js';
import { REPORTER_TYPES, SELECTORS, SEVERITIES, SOURCES, VERIFICATIONS } from '../../src/compliance/catalogue/index.js';
import { CHECK_STATUSES } from '../../src/compliance/dto.js';
import { allowedMoves, FINDING_STATUSES } from '../../src/compliance/findings-workflow.js';
import { CATEGORIES } from '../../src/incidents/core/categories.js';
import { GRADES } from '../../src/incidents/core/grading.js';
import { REPORT_STATUSES } from '../../src/incidents/core/report.js';
import { INCIDENT_STATES, PHASES, PROTECT_STATES } from '../../src/incidents/core/workflow.js';
import { TASK_STATUSES } from '../../src/incidents/incidents.service.js';
import { en } from '../../console/src/i18n/en.js';
import { zhCN } from '../../console/src/i18n/zh-CN.js';

describe('the console offers the server’s vocabularies', () => {
  it('has the same lists as the server (browser code keeps copies)', () => {
    expect(web.ASSET_TYPES).toEqual(ASSET_TYPES);
    expect(web.DATA_LEVELS).toEqual(DATA_LEVELS);
    expect(web.PERSONAL_DATA).toEqual(PERSONAL_DATA);
    expect(web.STORAGE_LOCATIONS).toEqual(STORAGE_LOCATIONS);
    expect(web.CRITICALITIES).toEqual(CRITICALITIES);
    expect(web.LIFECYCLES).toEqual(LIFECYCLES);
    expect(web.ALERT_STATUSES).toEqual(ALERT_STATUSES);
    expect(web.RESOLUTIONS).toEqual(RESOLUTIONS);
    expect(web.EVENT_FILTER_FIELDS).toEqual(FILTER_FIELDS);
    expect(web.ROLES).toEqual(ROLES);
    expect(web.ALERT_LEVELS).toEqual(ALERT_LEVELS);
    expect(web.INCIDENT_STATES).toEqual(INCIDENT_STATES);
    expect(web.PROTECT_STATES).toEqual(PROTECT_STATES);
    expect(web.PHASES).toEqual(PHASES);
    expect(web.GRADES).toEqual(GRADES.map((g) => g.id));
    expect(web.INCIDENT_CATEGORIES).toEqual(CATEGORIES.map((c) => c.id));
    expect(web.TASK_STATUSES).toEqual(TASK_STATUSES);
    expect(web.REPORT_STATUSES).toEqual(REPORT_STATUSES);
    expect(web.REPORTER_TYPES).toEqual(REPORTER_TYPES);
    expect(web.CHECK_STATUSES).toEqual(CHECK_STATUSES);
    expect(web.FINDING_STATUSES).toEqual(FINDING_STATUSES);
    expect(web.LAWS).toEqual(Object.keys(SOURCES));
    expect(web.SEVERITIES).toEqual(SEVERITIES);
    expect(web.VERIFICATIONS).toEqual(VERIFICATIONS);
    expect(web.SELECTORS).toEqual(SELECTORS);
    expect(Object.fromEntries(FINDING_STATUSES.map((s) => [s, web.FINDING_MOVES[s]]))).toEqual(Object.fromEntries(FINDING_STATUSES.map((s) => [s, allowedMoves(s)])));
  });

  it('names grades, categories and laws as the server does, in both languages', () => {
    const names: [string, { 'zh-CN': string; en: string }][] = [
      ...GRADES.map((g) => [`grade.${g.id}`, g.name] as [string, { 'zh-CN': string; en: string }]),
      ...CATEGORIES.map((c) => [`category.${c.id}`, c.name] as [string, { 'zh-CN': string; en: string }]),
      ...Object.entries(SOURCES).map(([k, name]) => [`law.${k}`, name] as [string, { 'zh-CN': string; en: string }]),
    ];
    for (const [key, name] of names) expect({ key, zh: (zhCN as Record<string, string>)[key], en: (en as Record<string, string>)[key] }).toEqual({ key, zh: name['zh-CN'], en: name.en });
  });
});
