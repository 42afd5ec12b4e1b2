import { it } from 'vitest';
import { loadDirectory } from '../../src/providers/visier/directory.js';
import { searchUsers } from '../../src/providers/visier/directory-search.js';
import { clientFor, startTestSandbox } from './harness.js';

it('scratch', async () => {
  for (const users of [100000]) {
    const handle = await startTestSandbox({ users });
    const client = clientFor(handle);
    const d = await loadDirectory(client, { projectId: 'p' });
    let t = performance.now();
    searchUsers(d, 'x');
    console.log(users, 'build', Math.round(performance.now() - t));
    for (const q of ['Dnaa', 'dana', 'whitfield', 'whitfeild', 'E000123', '123', 'jose', 'dana.whitfield@', 'sam lee', 'garcia']) {
      const times: number[] = [];
      let hits: ReturnType<typeof searchUsers> = [];
      for (let i = 0; i < 20; i++) { t = performance.now(); hits = searchUsers(d, q); times.push(performance.now() - t); }
      times.sort((a, b) => a - b);
      console.log(users, q, 'hits', hits.length, 'p50', times[10]!.toFixed(1), 'max', times[19]!.toFixed(1), hits.slice(0, 3).map((h) => `${d.users.get(h.userId)?.displayName}|${d.users.get(h.userId)?.employeeId}|${h.score.toFixed(1)}|${h.matched.map((m) => `${m.field}:${m.term}<${m.query}:${m.kind}`).join(',')}`).join(' ;; '));
    }
    await client.close();
    await handle.close();
  }
}, 600000);
