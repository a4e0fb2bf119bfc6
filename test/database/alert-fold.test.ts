import { DataSource } from 'typeorm';
import { dataSourceOptions } from '../../src/database/index.js';
import { AlertsRepository, type AlertFold } from '../../src/detection/alerts/alerts.repository.js';
import { createMigratedDatabase, dropTestDatabase, testDatabaseTargets } from '../support/databases.js';

const at = (minute: number) => new Date(Date.UTC(2026, 11, 7, 8, minute));

function group(ruleId: string, groupKey: string, minute: number, more: Partial<AlertFold> = {}): AlertFold {
  return {
    ruleId,
    ruleTitle: `${ruleId} 标题`,
    ruleKind: 'rule',
    level: 'high',
    tags: ['attack.t1110'],
    groupKey,
    assetId: null,
    department: '水务局',
    count: 1,
    firstSeen: at(minute),
    lastSeen: at(minute),
    since: at(minute - 60),
    eventIds: [`${ruleId}-${groupKey}-${minute}`],
    actors: [`ip:${groupKey}`],
    ...more,
  };
}

/**
 * A batch's firings fold into open alerts in one statement: each group grows the newest open alert
 * of its rule and key within the window, or raises a new one, and the answers keep the groups' order.
 */
describe.each(testDatabaseTargets())('folding firings into alerts on PostgreSQL ($name)', ({ adminUrl }) => {
  let url: string;
  let dataSource: DataSource;
  const alerts = new AlertsRepository();
  const fold = (groups: AlertFold[], maxEventIds = 100, maxActors = 20) => dataSource.transaction((m) => alerts.fold(m, groups, maxEventIds, maxActors));
  const row = async (id: string) =>
    (await dataSource.query(`SELECT rule_title, level, tags, department, status, count, first_seen, last_seen, event_ids, actors FROM alerts WHERE id = $1`, [id]))[0];

  beforeAll(async () => {
    url = await createMigratedDatabase(adminUrl);
    dataSource = await new DataSource(dataSourceOptions(url)).initialize();
  });
  afterAll(async () => {
    await dataSource.destroy();
    await dropTestDatabase(adminUrl, url);
  });

  it('raises an alert per new group, answering in the order given, with every column written', async () => {
    const answers = await fold([group('brute', '10.0.0.1', 10, { count: 3, eventIds: ['e1', 'e2', 'e3'] }), group('brute', '10.0.0.2', 11), group('scan', '10.0.0.1', 12, { level: 'medium' })]);
    expect(answers.map((a) => a.raised)).toEqual([true, true, true]);
    expect(new Set(answers.map((a) => a.id)).size).toBe(3);
    expect(await row(answers[0].id)).toEqual({
      rule_title: 'brute 标题',
      level: 'high',
      tags: ['attack.t1110'],
      department: '水务局',
      status: 'open',
      count: 3,
      first_seen: at(10),
      last_seen: at(10),
      event_ids: ['e1', 'e2', 'e3'],
      actors: ['ip:10.0.0.1'],
    });
    expect((await row(answers[2].id)).level).toBe('medium');
  });

  it('grows the open alert of a group seen within the window and raises one for a group not seen, in one batch', async () => {
    const [first] = await fold([group('grow', 'k', 20)]);
    const answers = await fold([group('fresh', 'k', 21), group('grow', 'k', 25, { count: 2, eventIds: ['later-1', 'later-2'], actors: ['ip:k', 'user:root'], firstSeen: at(5) })]);
    expect(answers[0].raised).toBe(true);
    expect(answers[1]).toEqual({ id: first.id, raised: false });
    expect(await row(first.id)).toMatchObject({ count: 3, first_seen: at(5), last_seen: at(25), event_ids: ['grow-k-20', 'later-1', 'later-2'] });
    expect([...(await row(first.id)).actors].sort()).toEqual(['ip:k', 'user:root']);
  });

  it('raises a new alert when the open one was last seen before the window, or is closed', async () => {
    const [old] = await fold([group('window', 'k', 0)]);
    const [later] = await fold([group('window', 'k', 90, { since: at(30) })]);
    expect(later.raised).toBe(true);
    expect(later.id).not.toBe(old.id);
    await dataSource.query(`UPDATE alerts SET status = 'closed', resolution = 'benign' WHERE id = $1`, [later.id]);
    const [afterClose] = await fold([group('window', 'k', 91, { since: at(31) })]);
    expect(afterClose.raised).toBe(true);
    expect(afterClose.id).not.toBe(later.id);
    expect((await row(later.id)).count).toBe(1);
  });

  it('grows the newest of two open alerts of a group, and keeps at most the limits of event ids and distinct actors', async () => {
    const [older] = await fold([group('cap', 'k', 0)]);
    const [newer] = await fold([group('cap', 'k', 100, { since: at(99) })]);
    const [grown] = await fold([group('cap', 'k', 101, { since: at(0), eventIds: ['a', 'b', 'c'], actors: ['ip:k', 'ip:x', 'ip:y'] })], 3, 2);
    expect(grown).toEqual({ id: newer.id, raised: false });
    expect((await row(older.id)).count).toBe(1);
    const capped = await row(newer.id);
    expect(capped.event_ids).toEqual(['cap-k-100', 'a', 'b']);
    expect(capped.actors).toHaveLength(2);
  });

  it('does nothing for no groups', async () => {
    expect(await fold([])).toEqual([]);
  });
});
