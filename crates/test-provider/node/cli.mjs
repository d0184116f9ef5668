// The part of the test provider for the `jose oauth` command-line client (crates/jose-cli):
// clients with a loopback redirect URI, and a token exchange grant (RFC 8693).
//
// The command line receives the authorization response on a loopback listener
// (`http://127.0.0.1:<port>/callback`, RFC 8252 §7.3). oidc-provider accepts any port for a
// loopback redirect URI registered by a native client, so each client below is a native copy
// of a base client (same secret, same keys, same response types) with that redirect URI added.

import { errors } from 'oidc-provider';

export const LOOPBACK_REDIRECT_URI = 'http://127.0.0.1/callback';
export const TOKEN_EXCHANGE = 'urn:ietf:params:oauth:grant-type:token-exchange';
const ACCESS_TOKEN_TYPE = 'urn:ietf:params:oauth:token-type:access_token';

// Base clients that get a `<id>-loopback` copy.
const LOOPBACK_BASES = [
  'client-basic', 'client-public', 'client-jar', 'client-jarm', 'client-hybrid', 'client-encrypted',
];

// Adds the loopback copies and the token exchange client to `clients`, and the copies' private
// keys (request object signing keys) to `clientKeys`.
export function cliConfigure({ clients, clientKeys, secret }) {
  for (const base of LOOPBACK_BASES) {
    const client = clients.find((c) => c.client_id === base);
    if (!client) throw new Error(`cli.mjs: no base client ${base}`);
    const id = `${base}-loopback`;
    clients.push({
      ...client,
      client_id: id,
      application_type: 'native',
      redirect_uris: [...client.redirect_uris, LOOPBACK_REDIRECT_URI],
    });
    if (clientKeys[base]) clientKeys[id] = clientKeys[base];
  }
  clients.push({
    // Exchanges access tokens of this provider for new ones (RFC 8693).
    client_id: 'client-token-exchange',
    client_secret: secret(),
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: [TOKEN_EXCHANGE, 'client_credentials'],
    response_types: [],
    redirect_uris: [],
  });
}

// A token exchange grant as a security token service would offer it, reduced to what the
// tests need: the subject token must be an active access token of this provider (from any
// grant), `subject_token_type` says so, and the issued token is a new access token for the
// requesting client with the requested scope (at most the subject token's). Actor tokens are
// not supported and refused.
export function cliInstall(provider) {
  const parameters = new Set([
    'subject_token', 'subject_token_type', 'actor_token', 'actor_token_type',
    'requested_token_type', 'audience', 'resource', 'scope',
  ]);
  provider.registerGrantType(TOKEN_EXCHANGE, async (ctx) => {
    const { params, client } = ctx.oidc;
    if (!params.subject_token) {
      throw new errors.InvalidRequest('missing required parameter subject_token');
    }
    if (params.subject_token_type !== ACCESS_TOKEN_TYPE) {
      throw new errors.InvalidRequest(`subject_token_type must be ${ACCESS_TOKEN_TYPE}`);
    }
    if (params.actor_token !== undefined) {
      throw new errors.InvalidRequest('actor tokens are not supported');
    }
    if (params.requested_token_type !== undefined && params.requested_token_type !== ACCESS_TOKEN_TYPE) {
      throw new errors.InvalidRequest('only access tokens are issued');
    }
    const subject = (await provider.AccessToken.find(params.subject_token))
      ?? (await provider.ClientCredentials.find(params.subject_token));
    if (!subject || subject.isExpired) {
      throw new errors.InvalidGrant({ detail: 'subject_token is not an active access token' });
    }
    const available = new Set(String(subject.scope ?? '').split(' ').filter(Boolean));
    const requested = params.scope === undefined
      ? [...available]
      : params.scope.split(' ').filter(Boolean);
    const missing = requested.find((s) => !available.has(s));
    if (missing !== undefined) {
      throw new errors.InvalidScope('the subject token does not carry the requested scope', missing);
    }
    const token = new provider.ClientCredentials({
      client,
      scope: requested.join(' ') || undefined,
    });
    const value = await token.save();
    ctx.body = {
      access_token: value,
      issued_token_type: ACCESS_TOKEN_TYPE,
      token_type: 'Bearer',
      expires_in: token.expiration,
      ...(token.scope ? { scope: token.scope } : {}),
    };
  }, parameters, new Set(['audience', 'resource']));
}
