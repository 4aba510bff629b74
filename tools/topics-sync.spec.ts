import * as fs from 'node:fs';
import * as path from 'node:path';
import { ALL_TOPICS } from '@atp/contracts';

// Compose's and k8s's topic-init containers read topics.txt (they run the official Kafka image,
// without Node); local runs create topics from libs/contracts through `cli topics create`.
// Both must name exactly the contracts' topics.
const names = (f: string) =>
  fs.readFileSync(f, 'utf8').split('\n').map((l) => l.replace(/#.*/, '').trim().split(/\s+/)[0]).filter(Boolean);

describe('topic lists for compose and k8s', () => {
  const expected = ALL_TOPICS.map((t) => t.name).sort();
  it.each(['infra/kafka/topics.txt', 'k8s/base/topics.txt'])('%s names exactly the topics of libs/contracts', (f) => {
    expect(names(path.resolve(__dirname, '..', f)).sort()).toEqual(expected);
  });
});
