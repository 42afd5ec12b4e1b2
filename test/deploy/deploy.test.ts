// The Dockerfile and the Kubernetes example, checked statically (no image can be pulled or built here): what
// they run as, what they probe, and that every variable and flag they hand the server is one it reads, and
// together make a configuration it accepts.
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';
import { ConfigError, loadConfig, OPTIONS } from '../../src/config.js';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

/** Variables the server reads, from its one configuration schema. */
const READ_BY_SERVER = new Set<string>(
  Object.values(OPTIONS).flatMap((spec) => ('env' in spec && spec.env !== undefined ? [spec.env] : [])),
);
/** Flags the server takes, from the same schema. */
const FLAGS = new Set<string>(Object.values(OPTIONS).flatMap((spec) => ('flag' in spec ? [spec.flag] : [])));
const known = (name: string) => READ_BY_SERVER.has(name);

/** The Dockerfile's instructions, continuation lines joined, comments dropped. */
function dockerfile(): { instruction: string; rest: string }[] {
  const lines = read('Dockerfile')
    .replace(/\\\n\s*/g, ' ')
    .split('\n')
    .filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  return lines.map((line) => {
    const [instruction = '', ...rest] = line.trim().split(/\s+/);
    return { instruction: instruction.toUpperCase(), rest: rest.join(' ') };
  });
}
const final = () => {
  const all = dockerfile();
  const lastFrom = all.map((i) => i.instruction).lastIndexOf('FROM');
  return all.slice(lastFrom);
};
/** `ENV A=1 B=2` pairs of the final stage. */
const imageEnv = () =>
  Object.fromEntries(
    final()
      .filter((i) => i.instruction === 'ENV')
      .flatMap((i) => [...i.rest.matchAll(/([A-Z_][A-Z0-9_]*)=(\S+)/g)].map((m) => [m[1] as string, m[2] as string])),
  );
const jsonArray = (instruction: string) => {
  const found = final().find((i) => i.instruction === instruction);
  return JSON.parse(found?.rest ?? 'null') as string[];
};

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML, whose Kubernetes shape is what these tests assert
type Doc = Record<string, any>;
const manifests = (): Doc[] =>
  readdirSync(new URL('deploy/kubernetes/', root))
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) => parseAllDocuments(read(`deploy/kubernetes/${file}`)).map((doc) => doc.toJS() as Doc));
const ofKind = (kind: string, name: string) => {
  const found = manifests().find((doc) => doc.kind === kind && doc.metadata?.name === name);
  if (found === undefined) throw new Error(`no ${kind} ${name} in deploy/kubernetes`);
  return found;
};
const server = () => ofKind('Deployment', 'visier-admin-mcp');
const container = () => server().spec.template.spec.containers[0] as Doc;

describe('Dockerfile', () => {
  it('builds with dev dependencies, runs with `npm ci --omit=dev` output and dist/ only', () => {
    const all = dockerfile();
    expect(all.filter((i) => i.instruction === 'FROM').length).toBeGreaterThanOrEqual(2);
    expect(all.some((i) => i.instruction === 'RUN' && /npm ci --omit=dev/.test(i.rest))).toBe(true);
    const copies = final().filter((i) => i.instruction === 'COPY');
    expect(copies.every((i) => /--from=|package\.json|LICENSE/.test(i.rest))).toBe(true);
    expect(copies.some((i) => /--from=\S+ \S*dist/.test(i.rest))).toBe(true);
  });

  it('runs as a non-root user, with a state volume, a port and a health check on /healthz without curl', () => {
    const user = final().find((i) => i.instruction === 'USER')?.rest;
    expect(user).toBeDefined();
    expect(['root', '0', '0:0']).not.toContain(user);
    expect(final().find((i) => i.instruction === 'VOLUME')?.rest).toContain('/var/lib/visier-admin-mcp');
    expect(final().find((i) => i.instruction === 'EXPOSE')?.rest).toBe(imageEnv().VISIER_MCP_PORT);
    const check = final().find((i) => i.instruction === 'HEALTHCHECK')?.rest ?? '';
    expect(check).toContain('/healthz');
    expect(check).toMatch(/CMD \["node", "-e", .*fetch\(/);
    expect(check).not.toMatch(/curl|wget/);
  });

  it('is based on a Node major that satisfies package.json engines', () => {
    const engines = (JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node;
    const minimum = Number(/>=\s*(\d+)/.exec(engines)?.[1]);
    const image = /ARG NODE_IMAGE=node:(\d+)/.exec(read('Dockerfile'));
    expect(Number(image?.[1])).toBeGreaterThanOrEqual(minimum);
  });

  it('bakes no secret in, and everything it sets is a variable or flag the server reads', () => {
    const env = imageEnv();
    for (const name of Object.keys(env).filter((n) => n !== 'NODE_ENV')) expect(known(name), name).toBe(true);
    expect(Object.keys(env).filter((n) => /SECRET|TOKEN|PASSWORD|API_KEY/.test(n))).toEqual([]);
    expect(read('Dockerfile')).not.toMatch(/ARG \S*(SECRET|TOKEN|PASSWORD|KEY)/);
    const args = [...jsonArray('ENTRYPOINT'), ...jsonArray('CMD')];
    for (const flag of args.filter((a) => a.startsWith('--'))) expect(FLAGS.has(flag), flag).toBe(true);
    expect(args).toEqual(expect.arrayContaining(['--http', '--host', '0.0.0.0']));
  });

  it('with the example’s credentials, the server accepts the image’s configuration and writes only under the volume', () => {
    const args = jsonArray('CMD');
    const env = imageEnv();
    expect(() => loadConfig(args, env)).toThrow(ConfigError);
    const config = loadConfig(args, {
      ...env,
      VISIER_MCP_HTTP_TOKEN: 'a-bearer-token-of-32-characters!',
      VISIER_TENANT_CODE: 'WFF_ACME',
    });
    expect(config).toMatchObject({ http: true, host: '0.0.0.0', port: Number(env.VISIER_MCP_PORT) });
    for (const path of [config.auditLog, config.auditKey, config.journal]) {
      expect(path.startsWith('/var/lib/visier-admin-mcp/')).toBe(true);
    }
  });

  it('.dockerignore lets in only what the build copies', () => {
    const allowed = read('.dockerignore')
      .split('\n')
      .filter((line) => line.startsWith('!'))
      .map((line) => line.slice(1).replace(/\/$/, ''));
    const copied = dockerfile()
      .filter((i) => i.instruction === 'COPY' && !i.rest.startsWith('--from'))
      .flatMap((i) => i.rest.split(/\s+/).slice(0, -1));
    expect(read('.dockerignore').split('\n')).toContain('*');
    expect(new Set(copied)).toEqual(new Set(allowed));
  });
});

describe('Kubernetes example', () => {
  it('parses, and runs 3 replicas of the server behind a Service, with Redis', () => {
    expect(manifests().every((doc) => typeof doc.kind === 'string' && typeof doc.apiVersion === 'string')).toBe(true);
    expect(server().spec.replicas).toBe(3);
    const service = ofKind('Service', 'visier-admin-mcp');
    expect(service.spec.selector).toEqual(server().spec.selector.matchLabels);
    expect(ofKind('Deployment', 'visier-admin-mcp-redis').spec.replicas).toBe(1);
    const redisUrl = ofKind('ConfigMap', 'visier-admin-mcp').data.VISIER_MCP_REDIS_URL as string;
    expect(redisUrl).toBe(`redis://${ofKind('Service', 'visier-admin-mcp-redis').metadata.name}:6379`);
  });

  it('every container runs non-root on a read-only root filesystem with all capabilities dropped and resources set', () => {
    const deployments = manifests().filter((doc) => doc.kind === 'Deployment');
    for (const deployment of deployments) {
      const pod = deployment.spec.template.spec;
      for (const c of pod.containers as Doc[]) {
        const label = `${deployment.metadata.name}/${c.name}`;
        expect(c.securityContext?.runAsNonRoot ?? pod.securityContext?.runAsNonRoot, label).toBe(true);
        expect(c.securityContext?.readOnlyRootFilesystem, label).toBe(true);
        expect(c.securityContext?.allowPrivilegeEscalation, label).toBe(false);
        expect(c.securityContext?.capabilities?.drop, label).toEqual(['ALL']);
        expect(c.resources?.limits?.memory, label).toBeDefined();
        expect(c.resources?.requests?.cpu, label).toBeDefined();
      }
    }
  });

  it('readiness asks /healthz/ready (the shared store answers), liveness /healthz, on the container’s port, under a Host name the server accepts', () => {
    const c = container();
    const port = c.ports[0] as { name: string; containerPort: number };
    expect(port.containerPort).toBe(Number(imageEnv().VISIER_MCP_PORT));
    expect(c.readinessProbe.httpGet.path).toBe('/healthz/ready');
    expect(c.livenessProbe.httpGet.path).toBe('/healthz');
    for (const probe of [c.readinessProbe, c.livenessProbe]) {
      expect([port.name, port.containerPort]).toContain(probe.httpGet.port);
      expect(probe.httpGet.httpHeaders).toEqual([{ name: 'Host', value: 'localhost' }]);
    }
  });

  it('writes only to the state volume and /tmp', () => {
    const mounts = (container().volumeMounts as { mountPath: string }[]).map((m) => m.mountPath);
    expect(mounts.sort()).toEqual(['/tmp', '/var/lib/visier-admin-mcp']);
  });

  it('the Secret and the ConfigMap hold only variables the server reads, the credentials in the Secret', () => {
    const secret = ofKind('Secret', 'visier-admin-mcp');
    const config = ofKind('ConfigMap', 'visier-admin-mcp');
    const secretKeys = Object.keys(secret.stringData ?? secret.data);
    for (const name of [...secretKeys, ...Object.keys(config.data)]) expect(known(name), name).toBe(true);
    expect(secretKeys).toEqual(expect.arrayContaining(['VISIER_MCP_OAUTH_CLIENT_SECRET', 'VISIER_API_KEY']));
    expect(Object.keys(config.data).filter((n) => /SECRET|TOKEN|PASSWORD|API_KEY/.test(n))).toEqual([]);
    expect(Object.keys(config.data)).toEqual(
      expect.arrayContaining(['VISIER_MCP_APPROVERS', 'VISIER_MCP_MODE', 'VISIER_MCP_TENANTS']),
    );
    const from = (container().envFrom as Doc[]).map((source) => source.secretRef?.name ?? source.configMapRef?.name);
    expect(from).toEqual(expect.arrayContaining([secret.metadata.name, config.metadata.name]));
  });

  it('the server refuses each of the Secret’s placeholders by name, and accepts the example once they are filled in', () => {
    const settings = { ...imageEnv(), ...ofKind('ConfigMap', 'visier-admin-mcp').data };
    const secret = ofKind('Secret', 'visier-admin-mcp').stringData as Record<string, string>;
    const filled = Object.fromEntries(Object.keys(secret).map((key) => [key, `real-${key.toLowerCase()}-0123456789`]));
    for (const [key, placeholder] of Object.entries(secret)) {
      expect(() => loadConfig(container().args, { ...settings, ...filled, [key]: placeholder })).toThrow(
        new RegExp(`^${key}: holds a placeholder`),
      );
    }
    const config = loadConfig(container().args, { ...settings, ...filled });
    expect(config).toMatchObject({ http: true, host: '0.0.0.0', sandbox: false, mode: 'user-writes' });
  });
});
