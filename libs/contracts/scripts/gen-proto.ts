// Writes proto/ from libs/contracts (npm run proto).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { generateProtoFiles } from '../src/proto';

const outDir = path.resolve(__dirname, '../../../proto');
fs.mkdirSync(outDir, { recursive: true });
for (const f of fs.readdirSync(outDir)) if (f.endsWith('.proto')) fs.rmSync(path.join(outDir, f));
for (const [name, content] of generateProtoFiles()) fs.writeFileSync(path.join(outDir, name), content);
console.log(`wrote ${generateProtoFiles().size} files to ${outDir}`);
