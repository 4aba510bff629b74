// Fixture of tools/register.spec.ts: an index re-exporting as the libs' do.
export * from './values';
export * from './cycle-a';
export * from './cycle-b';
