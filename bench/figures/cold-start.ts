import { spawn } from 'node:child_process';
import { devNull } from 'node:os';
import { type Figure, figure } from '../support/report.js';
import { percentile } from '../support/stats.js';

const RUNS = 7;

/** Milliseconds from spawning `node ARGS` to the answer of its first tools/list over stdio. */
function timeToFirstToolsList(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { env, stdio: ['pipe', 'pipe', 'ignore'] });
    let buffered = '';
    const send = (message: object) => child.stdin.write(`${JSON.stringify(message)}\n`);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      let newline = buffered.indexOf('\n');
      while (newline >= 0) {
        const message = JSON.parse(buffered.slice(0, newline)) as { id?: number };
        buffered = buffered.slice(newline + 1);
        if (message.id === 1) {
          send({ jsonrpc: '2.0', method: 'notifications/initialized' });
          send({ jsonrpc: '2.0', id: 2, method: 'tools/list' });
        } else if (message.id === 2) {
          const ms = performance.now() - t0;
          child.stdin.end();
          child.kill();
          resolve(ms);
        }
        newline = buffered.indexOf('\n');
      }
    });
    child.on('error', reject);
    send({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'bench', version: '1' } },
    });
  });
}

async function median(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) samples.push(await timeToFirstToolsList(args, env));
  samples.sort((a, b) => a - b);
  return percentile(samples, 50);
}

/** Our server (embedded sandbox) against a bare SDK server with one tool, both spawned the same way. */
export async function coldStart(): Promise<Figure[]> {
  const env = { PATH: process.env.PATH ?? '', VISIER_MCP_LOG_LEVEL: 'warn', VISIER_MCP_AUDIT_LOG: devNull };
  const baseline = await median(['dist-bench/bench/baselines/bare-stdio-server.js'], env);
  const ours = await median(['dist/cli.js', '--sandbox'], env);
  return [
    figure({
      figure: 'cold start to first tools/list over stdio (median of 7)',
      ours,
      baseline,
      unit: 'ms',
      goal: '<= 1.5x',
      met: ours <= baseline * 1.5,
    }),
  ];
}
