import type { StoredEvent } from '../events/index.js';
import { privacyHook } from './privacy.js';

describe('privacyHook', () => {
  it('masks the line but not what Taishi wrote on the event: its id and the asset block from the registry', () => {
    const event = {
      '@timestamp': '2026-12-05T10:00:03.000Z',
      // Contrived on purpose: what would be found anywhere else is left alone here.
      event: { id: 'x_13812345678_yyyyyyyy', original: 'visitor phone 13812345678', kind: 'event', dataset: 'app' },
      message: 'visitor phone 13812345678',
      taishi: { asset_id: '00000000-0000-4000-8000-000000000001', department: '车队 13912345678' },
    } as unknown as StoredEvent;
    const { event: masked, findings } = privacyHook('privacy-spec-masking-key-0123456789', {}).mask(event);
    expect(masked.message).toBe('visitor phone 138****5678');
    expect(masked.event.original).toBe('visitor phone 138****5678');
    expect(masked.event.id).toBe('x_13812345678_yyyyyyyy');
    expect(masked.taishi).toBe(event.taishi);
    expect(findings.map((f) => f.path).sort()).toEqual(['event.original', 'message']);
  });
});
