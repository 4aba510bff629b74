import * as path from 'node:path';

/** The recorded data directory: `DATA_DIR`, else `<repo>/../shared/data` (read in place, never copied). */
export function dataDir(): string {
  return process.env.DATA_DIR ?? path.resolve(__dirname, '../../../../../shared/data');
}
