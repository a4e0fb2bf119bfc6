import { AssetIndex } from '../assets/index.js';
import { IngestPipeline, type RawRecord } from './pipeline.js';

const context = { source: 'shipper', transport: 'http' as const, receivedAt: new Date('2026-12-05T10:30:00Z'), format: 'json' as const };

describe('IngestPipeline shipper envelopes', () => {
  it('reads the line of an envelope whose host is null instead of failing the batch', () => {
    const line = 'Dec  5 10:00:03 oa01 sshd[812]: Failed password for invalid user admin from 203.0.113.77 port 40222 ssh2';
    const json = { '@timestamp': '2026-12-05T10:00:03Z', message: line, host: null };
    const records: RawRecord[] = [{ json, original: JSON.stringify(json) }];
    const [event] = new IngestPipeline(() => new AssetIndex([])).process(records, context, []);
    expect(event.event).toMatchObject({ action: 'ssh_login', outcome: 'failure' });
    expect(event.host).toEqual({ name: 'oa01' });
    expect(event.source?.ip).toBe('203.0.113.77');
  });
});
