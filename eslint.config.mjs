import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

// Layering (ARCHITECTURE.md): domain libs are pure; only adapters touch the outside world;
// no lib imports a service; services never import each other.
const banIo = ['kafkajs', 'mongodb', 'ccxt', 'ccxt/*', '@nestjs/*', 'express', 'ws', 'prom-client', '@opentelemetry/*'];

/** The layering rules; `tests` lets domain and contracts code of tests depend on type:util (test utilities). */
function boundaries(tests) {
  const util = tests ? ['type:util'] : [];
  return {
    enforceBuildableLibDependency: false,
    allow: [],
    depConstraints: [
      { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts', 'type:domain', ...util], bannedExternalImports: banIo },
      { sourceTag: 'type:domain', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', ...util], bannedExternalImports: banIo },
      { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:util'] },
      { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:util', 'type:adapter'] },
      { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:util', 'type:adapter'] },
      { sourceTag: 'type:app', onlyDependOnLibsWithTags: ['type:domain', 'type:contracts', 'type:util', 'type:adapter', 'type:service'] },
    ],
  };
}

export default [
  {
    ignores: ['**/node_modules/**', '**/dist/**', 'bench/.venv/**', 'tools/lint-fixture/**', '**/*.js', '**/*.cjs', '**/*.mjs', 'proto/**'],
  },
  ...nx.configs['flat/base'],
  ...nx.configs['flat/typescript'],
  {
    files: ['**/*.ts'],
    languageOptions: { parser: tseslint.parser },
    rules: {
      '@nx/enforce-module-boundaries': ['error', boundaries(false)],
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-console': 'off',
    },
  },
  {
    // Tests of a domain lib may use the shared test utilities (@atp/testing: recorded data,
    // fake exchange); the product code of the lib may not.
    files: ['**/*.spec.ts', '**/test-support/**/*.ts'],
    rules: { '@nx/enforce-module-boundaries': ['error', boundaries(true)] },
  },
  {
    // Domain code never reads the wall clock or the environment: it gets a Clock and a config.
    files: ['libs/{core,contracts,market-data,indicators,strategies,risk,execution,portfolio,metrics,backtest,ml,otc}/src/**/*.ts', 'tools/lint-fixture/src/**/*.ts'],
    ignores: ['**/*.spec.ts', '**/adapters/**'],
    rules: {
      'no-restricted-properties': [
        'error',
        { object: 'Date', property: 'now', message: 'Domain code gets time from an injected Clock.' },
        { object: 'process', property: 'env', message: 'Domain code gets configuration injected.' },
      ],
    },
  },
  {
    files: ['**/*.spec.ts', 'bench/**/*.ts', 'tools/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
];
