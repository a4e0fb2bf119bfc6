import { AssetIndex, type IndexedAsset } from '../assets/asset-index.js';
import { PII_TYPES, type MaskingPolicy } from '../classification/detectors/index.js';
import { privacyHook } from '../classification/privacy.js';
import { prepareCopy } from '../events/postgres-copy.js';
import { IngestPipeline, type BatchContext, type RawRecord } from './pipeline.js';
import { PipelinePool, WorkerLostError } from './pipeline-pool.js';

// The workers run the build (dist/ingest/pipeline.worker.js): build before running this.
const context: BatchContext = { source: 'spec', transport: 'http', receivedAt: new Date('2026-11-29T08:00:00Z'), format: 'auto' };
const assets: IndexedAsset[] = [{ ref: { id: '00000000-0000-4000-8000-000000000001', department: '水务局', zone: null }, addresses: ['water-portal', '10.1.1.5'] }];
const privacy = privacyHook('spec-privacy-key-of-enough-bytes', Object.fromEntries(PII_TYPES.map((t) => [t, 'mask'])) as MaskingPolicy);
const RESIDENT_ID = '210102196306266755';

function records(): RawRecord[] {
  return [
    { bytes: Buffer.from('Dec 10 06:55:46 water-portal sshd[24200]: Failed password for root from 173.234.31.186 port 38926 ssh2') },
    { text: `Nov 29 10:00:01 water-portal app[1]: 挂号成功 患者证件号=${RESIDENT_ID}，科室=内科` },
    { json: { message: 'Nov 29 10:00:02 rogue-nas kernel: disk 3 spun down', host: { name: 'rogue-nas' } } },
    { bytes: Buffer.from('a line no parser knows'), peer: '10.1.1.5' },
  ];
}

describe('PipelinePool', () => {
  it('makes of a batch what the main thread makes of it: events, unregistered hosts, personal data found, recognition', async () => {
    const pool = new PipelinePool(2);
    try {
      pool.setAssets(assets);
      const inline = new IngestPipeline(() => new AssetIndex(assets), () => privacy).run(records(), context);
      const [first, second] = await Promise.all([pool.process(records(), context, privacy), pool.process(records(), context, privacy)]);
      expect(first).toEqual(inline);
      expect(second).toEqual(inline);
      // What the comparison stands on: the batch was enriched, masked and noted.
      expect(inline.events.map((e) => e.taishi?.department)).toEqual(['水务局', '水务局', undefined, '水务局']);
      expect(JSON.stringify(inline.events)).not.toContain(RESIDENT_ID);
      expect(inline.pii).toEqual([expect.objectContaining({ assetId: assets[0].ref.id, findings: expect.arrayContaining([expect.objectContaining({ type: 'resident_id', masked: '210102********6755' })]) })]);
      expect(inline.unmatched).toEqual([expect.objectContaining({ address: 'rogue-nas', kind: 'hostname' })]);
      expect(inline.recognition.map((r) => [r.program, r.shape === undefined])).toEqual([['sshd', true], ['app', false], ['kernel', false], ['generic.raw', false]]);
      expect(inline.recognition[1].shape).toContain('<resident_id>');
    } finally {
      await pool.close();
    }
  });

  it('serialises the batch for the PostgreSQL store, as the store itself would', async () => {
    const pool = new PipelinePool(1, { prepare: true });
    try {
      const inline = new IngestPipeline(() => new AssetIndex([]), () => privacy).run(records(), context);
      const { prepared } = await pool.process(records(), context, privacy);
      const expected = prepareCopy(inline.events, Date.now());
      const bytes = Buffer.concat(prepared!.rows);
      expect(prepared!.filed).toEqual(expected.filed);
      expect(bytes.equals(Buffer.concat(expected.rows))).toBe(true);
      // What the comparison stands on: a row for each event, its JSON as the doc.
      for (const event of inline.events) expect(bytes.includes(Buffer.from(JSON.stringify(event)))).toBe(true);
    } finally {
      await pool.close();
    }
  });

  it('enriches each batch with the assets known when it was sent, and masks with the settings it was sent with', async () => {
    const pool = new PipelinePool(1);
    try {
      const before = await pool.process(records(), context, undefined);
      expect(before.events[0].taishi).toBeUndefined();
      expect(JSON.stringify(before.events)).toContain(RESIDENT_ID);
      pool.setAssets(assets);
      const after = await pool.process(records(), context, privacy);
      expect(after.events[0].taishi?.department).toBe('水务局');
      expect(JSON.stringify(after.events)).not.toContain(RESIDENT_ID);
    } finally {
      await pool.close();
    }
  });

  it('fails only the batches of a worker that dies, and starts another for the next batch', async () => {
    const lost: Error[] = [];
    // A heap far too small for the events of this batch: the worker dies of it, as it would of a crash.
    const pool = new PipelinePool(1, { resourceLimits: { maxOldGenerationSizeMb: 48 }, onLost: (error) => lost.push(error) });
    try {
      const huge = Array.from({ length: 300_000 }, (_, i) => ({ text: `Dec 10 06:55:46 host-${i} sshd[${i}]: Failed password for root from 10.0.${(i >> 8) & 255}.${i & 255} port 22 ssh2` }));
      await expect(pool.process(huge, context, undefined)).rejects.toBeInstanceOf(WorkerLostError);
      expect(lost).toHaveLength(1);
      expect(pool.busy).toBe(0);
      expect((await pool.process(records(), context, undefined)).events).toHaveLength(4);
    } finally {
      await pool.close();
    }
  });

  it('refuses batches once closed, so its owner processes them itself', async () => {
    const pool = new PipelinePool(1);
    await pool.close();
    await expect(pool.process(records(), context, undefined)).rejects.toBeInstanceOf(WorkerLostError);
  });
});
