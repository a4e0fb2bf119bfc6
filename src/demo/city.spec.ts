import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { normalizeAddress } from '../shared/index.js';
import { AssetInputDto } from '../assets/dto.js';
import { CAMERAS, DEMO_USERS, DEPARTMENTS, demoAssets, SILENT_DEVICE, WATER_DEVICES } from './city.js';

describe('the demo city', () => {
  const assets = demoAssets(new Date('2026-06-10T00:00:00Z'));

  it('declares every system as the asset API would accept it', async () => {
    for (const asset of assets) {
      const errors = await validate(plainToInstance(AssetInputDto, asset.input), { whitelist: true, forbidNonWhitelisted: true });
      expect({ asset: asset.input.name, errors: errors.map((e) => e.toString()) }).toEqual({ asset: asset.input.name, errors: [] });
    }
  });

  it('gives each address and name to one system only, so enrichment is unambiguous', () => {
    const addresses = assets.flatMap((a) => a.input.addresses!.map((x) => (normalizeAddress(x) as { value: string }).value));
    expect(new Set(addresses).size).toBe(addresses.length);
    expect(new Set(assets.map((a) => a.input.name)).size).toBe(assets.length);
  });

  it('makes each system’s contact a demo owner of its own department', () => {
    for (const asset of assets.filter((a) => a.owner)) {
      const owner = DEMO_USERS.find((u) => u.username === asset.owner);
      expect(owner && DEPARTMENTS[owner.department!]).toBe(asset.input.department);
    }
  });

  it('registers every reporting device, the silent one included', () => {
    const names = new Set(assets.flatMap((a) => a.input.addresses));
    for (const device of [...WATER_DEVICES, ...CAMERAS]) expect(names).toContain(device.id);
    expect(names).toContain(SILENT_DEVICE);
  });

  it('mixes compliance states: filed and tested, overdue tests, never filed', () => {
    const mlps = assets.map((a) => a.input.mlps).filter((m) => m !== undefined);
    expect(mlps.some((m) => m.filingNumber && m.lastAssessmentDate && m.lastAssessmentDate > '2025-06-10')).toBe(true);
    expect(mlps.some((m) => m.level >= 3 && m.lastAssessmentDate && m.lastAssessmentDate < '2025-06-10')).toBe(true);
    expect(mlps.some((m) => m.level >= 2 && !m.filingNumber)).toBe(true);
    expect(assets.some((a) => !a.input.contact)).toBe(true);
  });
});
