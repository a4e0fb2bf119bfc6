/**
 * The house rules for imports between modules (README, "Modules"), checked by
 * test/unit/dependencies.test.ts and by `npx depcruise src --config .dependency-cruiser.cjs`.
 */
const CORES = '^src/(shared|detection/sigma|ingest/parsing|classification/detectors|incidents/core|compliance/catalogue)/';

module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      comment: 'A file must not depend on itself through others.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'cores-are-pure',
      comment: 'Pure cores import neither Nest, nor TypeORM, nor a database driver, nor the modules around them.',
      severity: 'error',
      from: { path: CORES },
      // A core may build on another pure core or a module's plain vocabulary, never on a shell.
      to: { path: ['node_modules/(@nestjs|typeorm|pg|pg-copy-streams|express)/', '^src/'], pathNot: [CORES, '^src/$1/', '^src/assets/vocabulary\\.ts$'] },
    },
    {
      name: 'queries-in-repositories',
      comment:
        'Only repositories, event-store adapters and the database module talk to the database. Entity files (the table mappings repositories use) and Nest modules (which register them) name TypeORM without querying.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/database/', '\\.repository\\.ts$', '\\.entity\\.ts$', '^src/[^/]+/[^/]+\\.module\\.ts$', '^src/app\\.module\\.ts$', '^src/events/(postgres|elasticsearch)-event-store\\.ts$'] },
      to: { path: 'node_modules/(typeorm|@nestjs/typeorm|pg|pg-copy-streams)/' },
    },
    {
      name: 'modules-through-their-index',
      comment:
        "Another module is reached only through its public index.ts; the shared kernel and config are open to all. A pure core's own index and a module's plain vocabulary file are public too: pure cores build on them and may not import a module index, which brings Nest along. A module's core.ts is its framework-free surface, for the command line and worker threads, which start faster without Nest.",
      severity: 'error',
      from: { path: '^src/([^/]+)/' },
      to: {
        path: '^src/([^/]+)/',
        pathNot: ['^src/$1/', '^src/[^/]+/index\\.ts$', '^src/shared/', '^src/(detection/sigma|ingest/parsing|classification/detectors|incidents/core|compliance/catalogue)/index\\.ts$', '^src/[^/]+/vocabulary\\.ts$', '^src/[^/]+/core\\.ts$'],
      },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.spec\\.ts$' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.js'] },
  },
};
