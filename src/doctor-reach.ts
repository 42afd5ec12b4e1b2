import { lookup } from 'node:dns/promises';
import { isIP, connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

/** How long each of name lookup, connection and TLS handshake may take. */
const STEP_MS = 5000;

/** One step's outcome: what was reached, or why not. */
export type Reach = { ok: true; detail: string } | { ok: false; reason: string };

const codeOf = (error: unknown) => (error as NodeJS.ErrnoException).code ?? (error as Error).message;

/**
 * Resolves `url`'s host name (DNS), opens a TCP connection to its port and, for https, completes a TLS handshake
 * with certificate and host-name checks, as undici will. Says at which step and why it failed (the system's
 * error code, e.g. ENOTFOUND, ECONNREFUSED, CERT_HAS_EXPIRED). Nothing is sent over the connection.
 */
export async function reachHost(url: URL): Promise<Reach> {
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  let address = host;
  if (isIP(host) === 0) {
    try {
      address = (await lookup(host)).address;
    } catch (error) {
      return { ok: false, reason: `DNS: cannot resolve ${host} (${codeOf(error)})` };
    }
  }
  const secure = url.protocol === 'https:';
  return new Promise<Reach>((resolve) => {
    const socket = secure
      ? tlsConnect({ host: address, port, servername: isIP(host) === 0 ? host : undefined, timeout: STEP_MS })
      : tcpConnect({ host: address, port, timeout: STEP_MS });
    const done = (result: Reach) => {
      socket.destroy();
      resolve(result);
    };
    socket.once(secure ? 'secureConnect' : 'connect', () =>
      done({ ok: true, detail: `${host} (${address}) port ${port}${secure ? ', TLS certificate valid' : ''}` }),
    );
    socket.once('timeout', () =>
      done({ ok: false, reason: `no answer from ${address} port ${port} in ${STEP_MS} ms` }),
    );
    socket.once('error', (error) => {
      const step = secure && (socket as { connecting?: boolean }).connecting === false ? 'TLS' : 'TCP';
      done({ ok: false, reason: `${step}: ${address} port ${port}: ${codeOf(error)}` });
    });
  });
}
