// The configured Sisense sites as one object: each site has its own API key, hence its own client, and a tool
// call acts on the site its checked scope names.
import type { SisenseClient } from './client.js';

export class SisenseSites {
  private readonly clients: ReadonlyMap<string, SisenseClient>;

  /** @throws RangeError when two clients name the same site. */
  constructor(clients: readonly SisenseClient[]) {
    const map = new Map<string, SisenseClient>();
    for (const client of clients) {
      if (map.has(client.site)) throw new RangeError(`site: '${client.site}' is configured twice`);
      map.set(client.site, client);
    }
    this.clients = map;
  }

  /** The configured site slugs, in configuration order. */
  get names(): string[] {
    return [...this.clients.keys()];
  }

  /** The client holding `name`'s key. @throws RangeError naming the site when none is configured. */
  site(name: string): SisenseClient {
    const client = this.clients.get(name);
    if (client === undefined) {
      throw new RangeError(`site: '${name}' has no configured key (configured: ${this.names.join(', ')})`);
    }
    return client;
  }

  async close(): Promise<void> {
    await Promise.all([...this.clients.values()].map((c) => c.close()));
  }
}
