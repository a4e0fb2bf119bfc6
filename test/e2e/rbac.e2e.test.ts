import { randomUUID } from 'node:crypto';
import { testDatabaseTargets } from '../support/databases.js';
import { ADMIN_PASSWORD, seedUsers, startTestApp, type TestApp } from '../support/app.js';

type Role = 'admin' | 'analyst' | 'compliance' | 'owner';
const ALL: Role[] = ['admin', 'analyst', 'compliance', 'owner'];

/**
 * Who may call what. Every route the service serves must be listed here, and every listed route
 * must exist: adding a route without deciding its policy fails this test.
 */
const EXPECTED: Record<string, Role[] | 'public' | { roles: Role[]; ingestKey: true }> = {
  'GET /health/live': 'public',
  'GET /health/ready': 'public',
  'POST /api/auth/login': 'public',
  'POST /api/auth/logout': ALL,
  'GET /api/auth/me': ALL,
  'PATCH /api/auth/me': ALL,
  'GET /api/users': ['admin'],
  'GET /api/assignees': ['admin', 'analyst'],
  'GET /api/users/:id': ['admin'],
  'POST /api/users': ['admin'],
  'PATCH /api/users/:id': ['admin'],
  'POST /api/users/:id/password': ['admin'],
  'POST /api/users/:id/unlock': ['admin'],
  'GET /api/api-keys': ['admin'],
  'POST /api/api-keys': ['admin'],
  'DELETE /api/api-keys/:id': ['admin'],
  'GET /api/audit': ['admin', 'compliance'],
  'GET /api/audit/verify': ['admin', 'compliance'],
  'GET /api/departments': ALL,
  'POST /api/departments': ['admin'],
  'PATCH /api/departments/:name': ['admin'],
  'DELETE /api/departments/:name': ['admin'],
  'GET /api/assets': ALL,
  'GET /api/assets/export': ALL,
  'GET /api/assets/defaults': ALL,
  'POST /api/assets/import': ['admin', 'owner'],
  'GET /api/assets/:id': ALL,
  'POST /api/assets': ['admin', 'owner'],
  'PATCH /api/assets/:id': ['admin', 'owner'],
  'DELETE /api/assets/:id': ['admin', 'owner'],
  'POST /api/ingest': { roles: ['admin'], ingestKey: true },
  'GET /api/ingest/recognition': ['admin', 'analyst', 'compliance'],
  'GET /api/ingest/unregistered-hosts': ['admin', 'analyst', 'compliance'],
  'GET /api/events': ALL,
  'GET /api/events/counts': ALL,
  'GET /api/events/histogram': ALL,
  'GET /api/events/:id': ALL,
  'GET /metrics': ['admin', 'analyst'],
  'GET /api/alerts': ALL,
  'GET /api/alerts/:id': ALL,
  'PATCH /api/alerts/:id': ['admin', 'analyst'],
  'POST /api/alerts/:id/incident': ['admin', 'analyst'],
  'GET /api/incidents': ALL,
  'GET /api/incidents/clocks': ['admin', 'analyst', 'compliance'],
  'GET /api/incidents/stats/mean-times': ['admin', 'analyst', 'compliance'],
  'POST /api/incidents': ['admin', 'analyst'],
  'GET /api/incidents/:id': ALL,
  'PATCH /api/incidents/:id': ['admin', 'analyst'],
  'POST /api/incidents/:id/transitions': ['admin', 'analyst'],
  'POST /api/incidents/:id/grade': ['admin', 'analyst'],
  'POST /api/incidents/:id/grade/proposal': ['admin', 'analyst'],
  'POST /api/incidents/:id/alerts': ['admin', 'analyst'],
  'POST /api/incidents/:id/merge': ['admin', 'analyst'],
  'POST /api/incidents/merge': ['admin', 'analyst'],
  'POST /api/incidents/:id/split': ['admin', 'analyst'],
  'POST /api/incidents/:id/comments': ALL,
  'POST /api/incidents/:id/tasks': ['admin', 'analyst'],
  'PATCH /api/incidents/:id/tasks/:taskId': ['admin', 'analyst', 'owner'],
  'GET /api/incidents/:id/report': ['admin', 'analyst', 'compliance'],
  'PATCH /api/incidents/:id/report': ['admin', 'analyst', 'compliance'],
  'GET /api/rules': ['admin', 'analyst', 'compliance'],
  'PATCH /api/rules/:id': ['admin', 'analyst'],
  'POST /api/rules/reload': ['admin', 'analyst'],
  'POST /api/rules/validate': ['admin', 'analyst'],
  'POST /api/rules/test': ['admin', 'analyst'],
  'POST /api/rules': ['admin', 'analyst'],
  'DELETE /api/rules/:id': ['admin', 'analyst'],
  'GET /api/rules/exceptions': ['admin', 'analyst', 'compliance'],
  'POST /api/rules/exceptions': ['admin', 'analyst'],
  'DELETE /api/rules/exceptions/:id': ['admin', 'analyst'],
  'GET /api/classification/findings': ALL,
  'GET /api/situation': ALL,
  'GET /api/notifications/preferences': ALL,
  'PUT /api/notifications/preferences': ALL,
  'GET /api/notifications/outbox': ['admin'],
  'POST /api/notifications/outbox/:id/retry': ['admin'],
  'POST /api/notifications/test': ['admin'],
  'GET /api/compliance/organisation': ALL,
  'GET /api/compliance/controls': ALL,
  'GET /api/compliance/assets/:id/record': ALL,
  'PATCH /api/compliance/assets/:id/record': ['admin', 'compliance', 'owner'],
  'GET /api/compliance/profiles': ['admin', 'compliance', 'analyst'],
  'GET /api/compliance/profiles/:id': ['admin', 'compliance', 'analyst'],
  'POST /api/compliance/profiles': ['admin', 'compliance'],
  'PATCH /api/compliance/profiles/:id': ['admin', 'compliance'],
  'DELETE /api/compliance/profiles/:id': ['admin', 'compliance'],
  'POST /api/compliance/runs': ['admin', 'compliance'],
  'GET /api/compliance/runs': ALL,
  'GET /api/compliance/runs/:id': ALL,
  'GET /api/compliance/runs/:id/results': ALL,
  'GET /api/compliance/runs/:id/diff': ALL,
  'GET /api/compliance/runs/:id/report': ALL,
  'GET /api/compliance/findings': ALL,
  'POST /api/compliance/findings/:id/transitions': ['admin', 'compliance'],
  'POST /api/compliance/findings/:id/protect-ticket': ['admin', 'compliance'],
  'GET /api/compliance/attestations': ['admin', 'compliance', 'analyst'],
  'POST /api/compliance/attestations': ['admin', 'compliance'],
  'GET /api/compliance/attestations/limits': ['admin', 'compliance'],
  'GET /api/compliance/attestations/:id/evidence': ['admin', 'compliance', 'analyst'],
};

interface RouteLayer {
  route?: { path: string; methods: Record<string, boolean> };
}

/** The routes express actually serves (API docs are mounted separately and tested on their own). */
function servedRoutes(app: TestApp): string[] {
  const router = (app.running.app.getHttpAdapter().getInstance() as { router: { stack: RouteLayer[] } }).router;
  return router.stack
    .filter((layer) => layer.route && !layer.route.path.startsWith('/api/docs'))
    .flatMap((layer) => Object.keys(layer.route!.methods).filter((m) => m !== '_all').map((m) => `${m.toUpperCase()} ${layer.route!.path}`));
}

const bodyFor = (method: string) => (method === 'GET' ? undefined : {});

describe.each(testDatabaseTargets())('RBAC matrix over every route ($name PostgreSQL)', ({ adminUrl }) => {
  let app: TestApp;
  let tokens: Record<Role, string>;
  let apiKey: string;

  beforeAll(async () => {
    app = await startTestApp(adminUrl);
    const users = await seedUsers(app);
    tokens = { admin: users.admin, analyst: users.analyst.token, compliance: users.compliance.token, owner: users.ownerA.token };
    apiKey = (await app.call('POST', '/api/api-keys', { token: users.admin, body: { name: 'rbac-test', scopes: ['ingest'] } })).body.key;
  });
  afterAll(() => app.stop());

  it('serves exactly the routes that have a declared expectation', () => {
    expect(servedRoutes(app).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  const cases = Object.entries(EXPECTED);

  it.each(cases)('%s: 401 without credentials unless public', async (route, allowed) => {
    const [method, path] = route.split(' ');
    const r = await app.call(method, path.replace(':id', randomUUID()), { body: bodyFor(method) });
    if (allowed === 'public') expect([401, 403]).not.toContain(r.status);
    else {
      expect(r.status).toBe(401);
      expect(r.body).toMatchObject({ statusCode: 401, error: 'Unauthorized' });
    }
  });

  it.each(cases.filter(([, allowed]) => allowed !== 'public'))('%s: roles allowed and denied as declared', async (route, expectation) => {
    const [method, path] = route.split(' ');
    const allowed = Array.isArray(expectation) ? expectation : (expectation as { roles: Role[] }).roles;
    const keyAllowed = !Array.isArray(expectation) && (expectation as { ingestKey?: true }).ingestKey === true;
    for (const role of ALL) {
      // Logging out ends the session it uses, so it gets a session of its own.
      const token = route === 'POST /api/auth/logout' ? await freshToken(role) : tokens[role];
      const r = await app.call(method, path.replace(':id', randomUUID()), { token, body: bodyFor(method) });
      const verdict = r.status === 401 || r.status === 403 ? 'refused' : 'let through';
      expect({ role, verdict }).toEqual({ role, verdict: allowed.includes(role) ? 'let through' : 'refused' });
      if (verdict === 'refused') expect({ role, status: r.status }).toEqual({ role, status: 403 });
    }
    const byKey = await app.call(method, path.replace(':id', randomUUID()), { token: apiKey, body: bodyFor(method) });
    if (keyAllowed) expect([401, 403]).not.toContain(byKey.status);
    else expect(byKey.status).toBe(403);
  });

  async function freshToken(role: Role): Promise<string> {
    const username = { admin: 'admin', analyst: 'analyst1', compliance: 'compliance1', owner: 'owner.water' }[role];
    return app.login(username, role === 'admin' ? ADMIN_PASSWORD : `${username}-password-1`);
  }
});
