/** Type-checking happens in `npm run typecheck`; tsconfig`s isolatedModules makes ts-jest transpile only (~3x faster). */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': 'ts-jest' },
  setupFiles: ['<rootDir>/test/setup.ts'],
  testTimeout: 60000,
};
