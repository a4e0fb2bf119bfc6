import { AssetIndex } from '../assets/index.js';
import { privacyHook } from '../classification/core.js';
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

describe('IngestPipeline masking', () => {
  it("masks personal data in the line, keeps the registered asset's block as the registry has it and notes the finding on it", () => {
    // An asset id whose groups are all digits reads like a card number to the detectors.
    const asset = { id: '62220212-3456-4789-8012-345678901234', department: '交通局', zone: null };
    const index = new AssetIndex([{ ref: asset, addresses: ['gate-07'] }]);
    const line = 'Dec  5 10:00:03 gate-07 app[812]: visitor phone 13812345678 registered';
    const json = { '@timestamp': '2026-12-05T10:00:03Z', message: line };
    const pii: Parameters<IngestPipeline['process']>[3] = [];
    const pipeline = new IngestPipeline(() => index, () => privacyHook('pipeline-spec-masking-key-0123456789', {}));
    const [unmasked] = new IngestPipeline(() => index).process([{ json, original: JSON.stringify(json) }], context, []);
    const [event] = pipeline.process([{ json, original: JSON.stringify(json) }], context, [], pii);
    expect(event.message).toContain('138****5678');
    expect(event.message).not.toContain('13812345678');
    expect(event.taishi).toEqual({ asset_id: asset.id, department: '交通局', pii: ['mobile'] });
    expect(event.event.id).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(event.event.id).not.toBe(unmasked.event.id);
    expect(pii.flatMap((sighting) => sighting.findings.map((f) => f.path)).sort()).toEqual(['event.original', 'message']);
  });
});
