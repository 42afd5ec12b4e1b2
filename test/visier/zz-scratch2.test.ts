import { it } from 'vitest';
import MiniSearch from 'minisearch';
import { loadDirectory } from '../../src/providers/visier/directory.js';
import { clientFor, startTestSandbox } from './harness.js';

it('scratch2', async () => {
  const handle = await startTestSandbox({ users: 100000 });
  const client = clientFor(handle);
  const d = await loadDirectory(client, { projectId: 'p' });
  const docs = [...d.users.values()];
  for (const variant of ['names', 'names+emp']) {
    const fields = variant === 'names' ? ['displayName', 'username', 'email'] : ['displayName', 'username', 'email', 'employeeId'];
    let t = performance.now();
    const ms = new MiniSearch<any>({ idField: 'userId', fields });
    ms.addAll(docs);
    console.log(variant, 'build', Math.round(performance.now() - t), 'terms', ms.termCount);
    for (const [label, opts] of [['exact', {}], ['prefix', { prefix: true }], ['fuzzy1', { fuzzy: 1 }], ['fuzzy2', { fuzzy: 2 }], ['both2', { prefix: true, fuzzy: 2 }]] as const) {
      for (const q of ['garcia', 'dana']) {
        const times: number[] = [];
        let n = 0;
        for (let i = 0; i < 15; i++) { t = performance.now(); n = ms.search(q, opts as any).length; times.push(performance.now() - t); }
        times.sort((a, b) => a - b);
        console.log(variant, label, q, n, 'p50', times[7]!.toFixed(1));
      }
    }
  }
  await client.close();
  await handle.close();
}, 600000);
