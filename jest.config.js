// Unit specs live beside the code (src/**/*.spec.ts); e2e suites live in test/ and run once per database.
// NestJS 12 and content-disposition (of @fastify/static) ship ESM only: @swc/jest compiles them too, hence the ignore pattern.
const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: { '^.+\\.(t|j)s$': '@swc/jest' },
  transformIgnorePatterns: ['/node_modules/(?!.*/node_modules/)(?!(@nestjs|nestjs-pino|content-disposition)/)'],
};

const e2e = {
  ...base,
  testMatch: ['<rootDir>/test/**/*.e2e-spec.ts'],
};

const projects = [
  { ...base, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
  { ...e2e, displayName: 'e2e-sqlite', setupFiles: ['<rootDir>/test/setup/sqlite-env.ts'] },
];

if (process.env.TEST_DATABASE_URL) {
  projects.push({
    ...e2e,
    displayName: 'e2e-postgres',
    globalSetup: '<rootDir>/test/setup/postgres-global-setup.ts',
    globalTeardown: '<rootDir>/test/setup/postgres-global-teardown.ts',
    setupFiles: ['<rootDir>/test/setup/postgres-env.ts'],
  });
}

// testTimeout is a global option (ignored inside projects): e2e suites boot an app and may run long loops.
module.exports = { projects, testTimeout: 60000 };
