import { join } from 'node:path';
import { PlaybookError, loadPlaybooks, parsePlaybooks, selectPlaybooks, tasksOnEntering, type Playbook } from './playbooks.js';
import { formatIssue } from './validation.js';

const DIR = join(process.cwd(), 'rules/playbooks');

function problems(file: string, text: string): string[] {
  try {
    parsePlaybooks([{ file, text }]);
    return [];
  } catch (e) {
    if (!(e instanceof PlaybookError)) throw e;
    return e.issues.map(formatIssue);
  }
}

describe('the shipped playbooks (rules/playbooks)', () => {
  const playbooks: Playbook[] = loadPlaybooks(DIR);
  const byId = new Map(playbooks.map((p) => [p.id, p]));

  it('load without a problem and cover the kinds of incident a small city meets most', () => {
    expect(playbooks.map((p) => [p.id, p.category])).toEqual([
      ['brute-force', 'network_attack'],
      ['data-leak', 'data_security'],
      ['ddos', 'network_attack'],
      ['iot-compromise', 'network_attack'],
      ['iot-outage', 'equipment_failure'],
      ['malware', 'malware'],
      ['ransomware', 'malware'],
      ['web-attack', 'network_attack'],
    ]);
  });

  it('give every playbook work in detect, respond, recover and closed, with a grading task early on', () => {
    for (const p of playbooks) {
      expect([p.id, [...new Set(p.tasks.map((t) => t.phase))]]).toEqual([p.id, ['detect', 'respond', 'recover', 'closed']]);
      const detect = p.tasks.filter((t) => t.phase === 'detect');
      // Grading decides the 1-hour CII reporting clock, so it cannot wait.
      expect([p.id, detect.some((t) => t.dueHours <= 1 && /级/.test(t.title['zh-CN'] + t.description['zh-CN']))]).toEqual([p.id, true]);
    }
  });

  it('make the data-leak playbook carry both PIPL Art. 57 notices', () => {
    const titles = byId.get('data-leak')!.tasks.map((t) => t.title.en);
    expect(titles).toEqual(expect.arrayContaining(['Notify the authority', 'Notify the individuals or record why not']));
  });

  it.each([
    [{ category: 'network_attack', tags: ['attack.t1110.001'], assetTypes: ['server'] }, ['brute-force']],
    [{ category: 'network_attack', tags: ['attack.t1190', 'attack.t1110'], assetTypes: ['web_application'] }, ['brute-force', 'web-attack']],
    [{ category: 'network_attack', tags: ['attack.t1078.001'], assetTypes: ['camera'] }, ['iot-compromise']],
    [{ category: 'network_attack', tags: ['attack.t1498'], assetTypes: ['web_application'] }, ['ddos']],
    [{ category: 'equipment_failure', tags: [], assetTypes: ['iot_sensor'] }, ['iot-outage']],
    [{ category: 'equipment_failure', tags: [], assetTypes: ['server'] }, []],
    [{ category: 'malware', tags: ['attack.t1486'], assetTypes: ['server'] }, ['ransomware']],
    [{ category: 'data_security', tags: [], assetTypes: [] }, ['data-leak']],
    // A technique does not cover a longer number that merely starts the same way.
    [{ category: 'network_attack', tags: ['attack.t11101'], assetTypes: ['server'] }, []],
  ] as const)('select for %j: %j', (incident, ids) => {
    expect(selectPlaybooks(playbooks, incident).map((p) => p.id)).toEqual(ids);
  });

  it('add the tasks of the phase entered, due from the time it was entered', () => {
    const tasks = tasksOnEntering([byId.get('ddos')!], 'respond', new Date('2025-11-03T02:00:00Z'));
    expect(tasks.map((t) => [t.playbookId, t.title.en, t.assignee, t.dueAt.toISOString()])).toEqual([
      ['ddos', 'Ask the carrier or cloud provider to scrub traffic', 'system_owner', '2025-11-03T03:00:00.000Z'],
      ['ddos', 'Rate-limit and filter at the edge', 'analyst', '2025-11-03T04:00:00.000Z'],
    ]);
    expect(tasks[0].description['zh-CN']).toContain('流量清洗');
  });
});

describe('parsePlaybooks', () => {
  const GOOD = `
id: test
title: { zh-CN: 测试, en: Test }
category: other
tasks:
  - phase: respond
    title: { zh-CN: 处置, en: Handle }
    description: { zh-CN: 说明, en: Details }
    assignee: analyst
    due_hours: 1.5
`;

  it('loads a minimal playbook, with empty match lists that match everything', () => {
    expect(parsePlaybooks([{ file: 'pb/test.yml', text: GOOD }])).toEqual([
      {
        id: 'test',
        file: 'pb/test.yml',
        title: { 'zh-CN': '测试', en: 'Test' },
        category: 'other',
        match: { attack: [], assetTypes: [] },
        tasks: [{ phase: 'respond', title: { 'zh-CN': '处置', en: 'Handle' }, description: { 'zh-CN': '说明', en: 'Details' }, assignee: 'analyst', dueHours: 1.5 }],
      },
    ]);
  });

  it('reports every problem with its file and path', () => {
    const bad = `
id: Test_1
title: { zh-CN: Test, en: Test, fr: Essai }
category: cyber
owner: me
match: { attack: [T1110, t1110.1], asset_types: [toaster], severity: high }
tasks:
  - phase: protect
    title: { zh-CN: 处置, en: '' }
    description: { zh-CN: 说明 }
    assignee: vendor
    due_hours: 0
  - phase: respond
    title: { zh-CN: 处置, en: Handle }
    description: { zh-CN: 说明, en: Details }
    assignee: analyst
    due_hours: 721
    colour: red
  - phase: respond
    title: { zh-CN: 再处置, en: Handle }
    description: { zh-CN: 说明, en: Details }
    assignee: system_owner
    due_hours: 2
`;
    expect(problems('pb/test.yml', bad)).toEqual([
      'pb/test.yml: owner: unknown field',
      'pb/test.yml: id: must be lower-case words joined by hyphens',
      'pb/test.yml: category: must be a GB/T 20986-2023 category id',
      'pb/test.yml: match.severity: unknown field',
      'pb/test.yml: match.attack[0]: must be an ATT&CK technique like t1110 or t1110.001',
      'pb/test.yml: match.attack[1]: must be an ATT&CK technique like t1110 or t1110.001',
      'pb/test.yml: match.asset_types[0]: must be one of server, workstation, network_device, iot_gateway, iot_sensor, camera, web_application, database, cloud_service, other',
      'pb/test.yml: tasks[0].due_hours: must be a number of hours above 0 and at most 720',
      'pb/test.yml: tasks[0].phase: must be one of detect, respond, recover, closed',
      'pb/test.yml: tasks[0].title.en: required text',
      'pb/test.yml: tasks[0].description.en: required text',
      'pb/test.yml: tasks[0].assignee: must be one of analyst, system_owner',
      'pb/test.yml: tasks[1].colour: unknown field',
      'pb/test.yml: tasks[1].due_hours: must be a number of hours above 0 and at most 720',
      'pb/test.yml: tasks[2].title: another task of this playbook has the same title',
      'pb/test.yml: title.fr: unknown language (zh-CN and en only)',
      'pb/test.yml: title.zh-CN: must be written in Chinese',
    ]);
  });

  it('wants the id to match the file name, and ids to be unique', () => {
    expect(problems('pb/other.yml', GOOD)).toEqual(['pb/other.yml: id: must match the file name (other.yml)']);
    expect(() => parsePlaybooks([{ file: 'a/test.yml', text: GOOD }, { file: 'b/test.yaml', text: GOOD }])).toThrow('b/test.yaml: id: duplicate id (first in a/test.yml)');
  });

  it('reports YAML that does not parse and playbooks without tasks', () => {
    expect(problems('pb/test.yml', 'id: [')).toEqual([
      expect.stringMatching(/^pb\/test\.yml: \(yaml\): /),
      'pb/test.yml: id: required',
      'pb/test.yml: category: required',
      'pb/test.yml: tasks: must be a non-empty list',
      'pb/test.yml: title: required',
    ]);
    expect(problems('pb/test.yml', GOOD.replace(/tasks:[\s\S]*/, 'tasks: []\n'))).toEqual(['pb/test.yml: tasks: must be a non-empty list']);
  });
});
