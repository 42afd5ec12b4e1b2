/** Host names and addresses only this machine reaches: a server bound to one needs no bearer token. */
export const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

/** Whether binding `host` (a name or an IPv4/IPv6 address, as --host takes it) keeps the server on this machine. */
export function isLoopback(host: string): boolean {
  return LOOPBACK_HOSTS.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}
