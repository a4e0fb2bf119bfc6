import pg from 'pg';
import { createTestDatabase, dropTestDatabase, testDatabaseTargets } from '../support/databases.js';

describe.each(testDatabaseTargets())('PostgreSQL ($name)', ({ adminUrl }) => {
  it('is a real PostgreSQL server that accepts concurrent connections', async () => {
    const url = await createTestDatabase(adminUrl);
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    // pool.end() resolves once its clients are told to close, not once they have: the forced drop
    // below can still reach one, whose server then ends it with an error it no longer cares about.
    pool.on('error', () => undefined);
    const rows = await Promise.all([1, 2, 3, 4].map((i) => pool.query('SELECT $1::int AS i, version() AS v', [i])));
    expect(rows.map((r) => r.rows[0].i)).toEqual([1, 2, 3, 4]);
    expect(rows[0].rows[0].v).toMatch(/^PostgreSQL \d+/);
    await pool.end();
    await dropTestDatabase(adminUrl, url);
  });
});
