import { readFileSync } from 'node:fs';
import { isValidResidentId } from '../classification/detectors/resident-id.js';
import { AssetIndex } from '../assets/index.js';
import { IngestPipeline } from '../ingest/pipeline.js';
import { demoAssets, SILENT_DEVICE } from './city.js';
import { Chance, DEMO_TIME_ZONE, HOUR, MINUTE } from './clock.js';
import { DEMO_SOURCE } from './live.js';
import { replayApacheErrors, replayOpenSsh } from './loghub.js';
import { attackScenarios, liveAttack, residentId } from './scenarios.js';
import { background, shipped, type DemoRecord } from './traffic.js';

const now = Date.parse('2026-06-10T06:00:00Z');
const silence = { device: SILENT_DEVICE, since: now - 2 * HOUR };

/** The records as the service's pipeline makes them: parsed, enriched with the demo registry. */
function pipelined(records: DemoRecord[]) {
  const index = new AssetIndex(demoAssets(new Date(now)).map((a) => ({ ref: { id: a.input.name, department: a.input.department!, zone: a.input.zone ?? null }, addresses: a.input.addresses! })));
  const unmatched: unknown[] = [];
  const events = new IngestPipeline(() => index).process(
    records.map((r) => ({ json: shipped(r) })),
    { source: DEMO_SOURCE, transport: 'http', receivedAt: new Date(now), format: 'json', timeZone: DEMO_TIME_ZONE },
    unmatched as never[],
  );
  return { events, unmatched };
}

describe('the demo’s traffic', () => {
  it('is the same however a span is cut, so the live feed continues exactly where a load stopped', () => {
    const whole = background(now - 3 * HOUR, now, silence);
    const parts = [...background(now - 3 * HOUR, now - 70 * MINUTE - 1234, silence), ...background(now - 70 * MINUTE - 1234, now, silence)];
    const key = (r: DemoRecord) => `${r.at} ${JSON.stringify(shipped(r))}`;
    expect(parts.map(key).sort()).toEqual(whole.map(key).sort());
    expect(whole.every((r) => r.at > now - 3 * HOUR && r.at <= now)).toBe(true);
  });

  it('keeps the silent sensor quiet after its silence began, and the others reporting', () => {
    const last = (device: string) => Math.max(...background(now - 4 * HOUR, now, silence).filter((r) => r.json?.device_id === device).map((r) => r.at));
    expect(last(SILENT_DEVICE)).toBeLessThanOrEqual(silence.since);
    expect(last(SILENT_DEVICE)).toBeGreaterThan(silence.since - 5 * MINUTE);
    expect(last('wq-ph-01')).toBeGreaterThan(now - 5 * MINUTE);
  });

  it('follows office hours: the portal is busier at ten in the morning than at three at night', () => {
    const portal = (fromUtc: string) => background(Date.parse(fromUtc), Date.parse(fromUtc) + HOUR).filter((r) => r.host === 'zwfw-portal01').length;
    expect(portal('2026-06-10T02:00:00Z')).toBeGreaterThan(3 * portal('2026-06-09T19:00:00Z'));
  });

  it('parses every generated line to a known action and attributes it to a registered system', () => {
    const loghub = (name: string) => readFileSync(`fixtures/loghub/${name}`, 'utf8');
    const records = [
      ...background(now - 24 * HOUR, now, silence),
      ...attackScenarios(now),
      ...[0, 1, 2, 3, 4].flatMap((n) => liveAttack(now, n)),
      ...replayOpenSsh(loghub('OpenSSH_2k.log'), now - 16 * HOUR),
      ...replayApacheErrors(loghub('Apache_2k.log'), now - 23 * HOUR, now - 20 * MINUTE),
    ];
    const { events, unmatched } = pipelined(records);
    expect(unmatched).toEqual([]);
    const unknown = events.filter((e) => e.event.action === 'unknown').map((e) => e.event.original);
    // Only the data-sharing interface's own debug log, a program no parser knows, stays a plain message.
    expect(unknown.length).toBeGreaterThan(0);
    expect(unknown.every((line) => line?.includes(' share-api01 share-api '))).toBe(true);
  });

  it('stamps each event at the time the record was generated for, in the city’s zone', () => {
    const records = [...attackScenarios(now), ...background(now - HOUR, now, silence)];
    const { events } = pipelined(records);
    const second = (ms: number) => Math.floor(ms / 1000);
    events.forEach((e, i) => expect({ second: second(Date.parse(e['@timestamp'])), line: e.event.original }).toEqual({ second: second(records[i].at), line: e.event.original }));
  });

  it('writes resident ids that pass the GB 11643 check', () => {
    const c = new Chance(42);
    for (let i = 0; i < 200; i++) expect(isValidResidentId(residentId(c), new Date(now))).toBe(true);
  });
});

describe('the loghub replay', () => {
  it('moves OpenSSH_2k.log whole, keeping the gaps between its lines, to end at the given time', () => {
    const text = ['Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186', 'Dec 10 07:07:38 LabSZ sshd[24206]: Invalid user test9 from 52.80.34.196', 'no time here'].join('\n');
    const out = replayOpenSsh(text, now);
    expect(out.map((r) => r.at)).toEqual([now - (11 * 60 + 52) * 1000, now, now]);
    expect(out[1].line).toBe('Jun 10 14:00:00 LabSZ sshd[24206]: Invalid user test9 from 52.80.34.196');
  });

  it('squeezes Apache_2k.log evenly into the span, in order', () => {
    const text = ['[Sun Dec 04 04:47:44 2005] [notice] workerEnv.init() ok /etc/httpd/conf/workers2.properties', '[Sun Dec 04 16:47:44 2005] [error] mod_jk child workerEnv in error state 6', '[Mon Dec 05 04:47:44 2005] [notice] jk2_init() Found child 6725 in scoreboard slot 10'].join('\n');
    const out = replayApacheErrors(text, now - 2 * HOUR, now);
    expect(out.map((r) => r.at)).toEqual([now - 2 * HOUR, now - HOUR, now]);
    expect(out[2].line).toBe('[Wed Jun 10 14:00:00 2026] [notice] jk2_init() Found child 6725 in scoreboard slot 10');
  });
});
