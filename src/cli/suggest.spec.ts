import { closest, editDistance } from './suggest.js';

describe('closest', () => {
  it('counts a swap of neighbouring letters as one edit', () => {
    expect(editDistance('fromat', 'format')).toBe(1);
    expect(editDistance('rules', 'rules')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('names the option or command a typo was meant to be', () => {
    expect(closest('fromat', ['rules', 'format'])).toBe('format');
    expect(closest('dryrun', ['dry-run', 'format'])).toBe('dry-run');
    expect(closest('hnut', ['hunt', 'ingest', 'audit', 'demo'])).toBe('hunt');
    expect(closest('ingets', ['hunt', 'ingest', 'audit'])).toBe('ingest');
  });

  it('completes an unambiguous beginning', () => {
    expect(closest('fol', ['follow', 'force'])).toBe('follow');
    expect(closest('f', ['follow', 'force'])).toBeUndefined();
  });

  it('suggests nothing for a word that resembles no candidate', () => {
    expect(closest('verbose', ['format', 'source'])).toBeUndefined();
    expect(closest('x', ['format'])).toBeUndefined();
  });
});
