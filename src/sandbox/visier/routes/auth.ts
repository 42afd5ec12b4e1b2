// The two ways to get a session: the ASID token (form login, no apikey) and the OAuth2 token endpoint
// (HTTP Basic client credentials plus apikey; password and refresh_token grants).

import { basicCredentials, header } from '../../http-io.js';
import { badRequest, unauthorized } from '../../status-error.js';
import type { Route } from '../context.js';

export const authRoutes: Route[] = [
  {
    method: 'POST',
    path: '/v1/admin/visierSecureToken',
    public: true,
    handle({ rawBody, services }) {
      const form = new URLSearchParams(rawBody);
      const { username, password } = services.credentials;
      if (form.get('username') !== username || form.get('password') !== password) {
        throw unauthorized('Invalid username or password');
      }
      return { status: 200, text: services.tokens.issueAsid(username) };
    },
  },
  {
    method: 'POST',
    path: '/v1/auth/oauth2/token',
    public: true,
    handle({ req, rawBody, services }) {
      const { credentials, tokens } = services;
      if (header(req, 'apikey') !== credentials.apiKey) throw unauthorized('Missing or invalid API key');
      const form = new URLSearchParams(rawBody);
      const client = basicCredentials(req) ?? {
        id: form.get('client_id') ?? '',
        secret: form.get('client_secret') ?? '',
      };
      if (client.id !== credentials.clientId || client.secret !== credentials.clientSecret) {
        throw unauthorized('Invalid client credentials');
      }
      const grant = form.get('grant_type');
      if (grant === 'password') {
        if (form.get('username') !== credentials.username || form.get('password') !== credentials.password) {
          throw unauthorized('Invalid username or password');
        }
        return { status: 200, json: tokens.issueOAuth(credentials.username, client.id) };
      }
      if (grant === 'refresh_token') {
        const renewed = tokens.refresh(form.get('refresh_token') ?? '', client.id);
        if (!renewed) throw unauthorized('Invalid or expired refresh token');
        return { status: 200, json: renewed };
      }
      throw badRequest(`Unsupported grant_type '${grant ?? ''}'; the sandbox supports password and refresh_token`);
    },
  },
];
