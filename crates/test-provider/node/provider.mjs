// The workspace's test OpenID Provider: oidc-provider 9.x on 127.0.0.1, configured for the
// integration tests of oauth-client (and later dpop, ciba and the `jose oauth` CLI).
//
// Usage: node provider.mjs <state-file> <pki-dir>
//
// The script listens on an ephemeral port of 127.0.0.1, mounts the provider under `/op` (so the
// issuer has a path, which exercises RFC 8414 path insertion), writes the issuer, the static
// clients (with their secrets and private keys) and the provider's public keys to <state-file>,
// and then prints `READY <issuer>` on stdout. It exits when its stdin closes, so it never
// outlives the test process that started it, even if that process is killed.
//
// Non-interactive login and consent: `/op/interaction/:uid` logs in the account named by
// `login_hint` (default `alice`), grants exactly what the prompt is missing, and resumes. The
// hint `deny` finishes the interaction with `access_denied` instead.

import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import Provider, { errors } from 'oidc-provider';
import { cibaConfigure, cibaInstall } from './ciba.mjs';
import { cliConfigure, cliInstall } from './cli.mjs';
import { logoutConfigure, logoutInstall } from './logout.mjs';
import { SigningKeys, signingKeysControl } from './rotation.mjs';
import {
  advancedClientKeys, advancedClients, advancedFeatures, clientAuthMethods, deviceControl,
  listenTls, mtlsEndpointAliases, providerEncryptionKeys, readPki,
} from './advanced.mjs';

const stateFile = process.argv[2];
const pkiDir = process.argv[3];
if (!stateFile || !pkiDir) {
  console.error('usage: node provider.mjs <state-file> <pki-dir>');
  process.exit(2);
}
const pki = readPki(pkiDir);

// Leave with the parent: the test process holds our stdin. A provider kept for a whole test
// binary is never dropped, so the files it was started with are removed here.
function leave() {
  for (const path of [stateFile, stateFile.replace(/\.json$/, '.log')]) {
    rmSync(path, { force: true });
  }
  rmSync(pkiDir, { recursive: true, force: true });
  process.exit(0);
}
process.stdin.on('end', leave);
process.stdin.on('close', leave);
process.stdin.on('error', leave);
process.stdin.resume();

const MOUNT = '/op';

// ---- Keys -------------------------------------------------------------------------------------

function privateJwk(type, options, extra) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), ...extra };
}

function publicPart(jwk) {
  const { d, p, q, dp, dq, qi, ...pub } = jwk;
  return pub;
}

// Signing keys of the provider. RS256 must exist (the default ID Token algorithm). The ES256
// keys can be rotated while the provider runs (`rotation.mjs`, `/control/signing-keys`).
const signingKeys = new SigningKeys(
  privateJwk('ec', { namedCurve: 'P-256' }, { kid: 'op-p256', use: 'sig' }),
  [
    privateJwk('rsa', { modulusLength: 2048 }, { kid: 'op-rsa', use: 'sig' }),
    privateJwk('ed25519', {}, { kid: 'op-ed25519', use: 'sig' }),
    ...providerEncryptionKeys,
  ],
);

// Keys of clients that authenticate with private_key_jwt.
const clientKeys = {
  'client-private-key-jwt': privateJwk('ec', { namedCurve: 'P-256' }, { kid: 'rp-p256', alg: 'ES256' }),
  // Decryption key of the client that receives encrypted ID Tokens and UserInfo.
  'client-encrypted': privateJwk('ec', { namedCurve: 'P-256' }, { kid: 'rp-enc', use: 'enc', alg: 'ECDH-ES' }),
  ...advancedClientKeys,
};

// ---- Clients ----------------------------------------------------------------------------------

const REDIRECT_URI = 'https://rp.test/cb';
const POST_LOGOUT_REDIRECT_URI = 'https://rp.test/logged-out';
const secret = () => randomBytes(32).toString('base64url');

const confidential = {
  redirect_uris: [REDIRECT_URI],
  post_logout_redirect_uris: [POST_LOGOUT_REDIRECT_URI],
  grant_types: ['authorization_code', 'refresh_token', 'client_credentials'],
  response_types: ['code'],
};

// One static client per token endpoint authentication method, plus clients for specific paths.
// Later features add their clients here (PAR-required, DPoP nonce, JAR, JARM, encryption, ...).
const clients = [
  {
    ...confidential,
    client_id: 'client-basic',
    client_secret: secret(),
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    ...confidential,
    client_id: 'client-post',
    client_secret: secret(),
    token_endpoint_auth_method: 'client_secret_post',
  },
  {
    ...confidential,
    client_id: 'client-secret-jwt',
    client_secret: secret(),
    token_endpoint_auth_method: 'client_secret_jwt',
    token_endpoint_auth_signing_alg: 'HS256',
  },
  {
    ...confidential,
    client_id: 'client-private-key-jwt',
    token_endpoint_auth_method: 'private_key_jwt',
    token_endpoint_auth_signing_alg: 'ES256',
    jwks: { keys: [publicPart(clientKeys['client-private-key-jwt'])] },
  },
  {
    client_id: 'client-public',
    token_endpoint_auth_method: 'none',
    redirect_uris: [REDIRECT_URI],
    post_logout_redirect_uris: [POST_LOGOUT_REDIRECT_URI],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  },
  {
    // Authorization codes of this client expire after one second.
    ...confidential,
    client_id: 'client-short-code',
    client_secret: secret(),
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    // The provider demands a DPoP nonce from this client (RFC 9449 §8).
    ...confidential,
    client_id: 'client-dpop-nonce',
    client_secret: secret(),
    token_endpoint_auth_method: 'client_secret_basic',
  },
  {
    // Encrypted (ECDH-ES, A256GCM) ID Tokens and signed-then-encrypted UserInfo.
    ...confidential,
    client_id: 'client-encrypted',
    client_secret: secret(),
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_encrypted_response_alg: 'ECDH-ES',
    id_token_encrypted_response_enc: 'A256GCM',
    userinfo_signed_response_alg: 'ES256',
    userinfo_encrypted_response_alg: 'ECDH-ES',
    userinfo_encrypted_response_enc: 'A256GCM',
    jwks: { keys: [publicPart(clientKeys['client-encrypted'])] },
  },
  {
    // Signed responses: EdDSA ID Tokens, RS256 JWT UserInfo, ES256 JWT introspection.
    ...confidential,
    client_id: 'client-signed-responses',
    client_secret: secret(),
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'EdDSA',
    userinfo_signed_response_alg: 'RS256',
    introspection_signed_response_alg: 'ES256',
  },
  {
    // HMAC responses keyed with the client_secret (OIDC Core §10.1): HS256 ID Tokens,
    // HS384 JWT UserInfo, HS512 JWT introspection. The secret is long enough for HS512.
    ...confidential,
    client_id: 'client-hmac-responses',
    client_secret: randomBytes(64).toString('base64url'),
    token_endpoint_auth_method: 'client_secret_basic',
    id_token_signed_response_alg: 'HS256',
    userinfo_signed_response_alg: 'HS384',
    introspection_signed_response_alg: 'HS512',
  },
  ...advancedClients({
    secret, confidential, redirectUri: REDIRECT_URI, pki,
  }),
];

// ---- Accounts ---------------------------------------------------------------------------------

const accounts = {
  alice: {
    sub: 'alice',
    name: 'Alice Liddell',
    given_name: 'Alice',
    family_name: 'Liddell',
    preferred_username: 'alice',
    email: 'alice@example.test',
    email_verified: true,
  },
  bob: {
    sub: 'bob',
    name: 'Bob Builder',
    email: 'bob@example.test',
    email_verified: false,
  },
};

// ---- Resource servers -------------------------------------------------------------------------

const resourceServers = {
  'urn:test:api': {
    scope: 'api:read api:write',
    audience: 'urn:test:api',
    accessTokenTTL: 600,
    accessTokenFormat: 'opaque',
  },
  'urn:test:jwt-api': {
    scope: 'api:read',
    audience: 'urn:test:jwt-api',
    accessTokenTTL: 600,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'ES256' } },
  },
  // A second JWT resource, for the resource server's "token for another resource" checks.
  'urn:test:jwt-api-2': {
    scope: 'api:read',
    audience: 'urn:test:jwt-api-2',
    accessTokenTTL: 600,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'ES256' } },
  },
};

// ---- Provider configuration -------------------------------------------------------------------

const INITIAL_ACCESS_TOKEN = secret();

const configuration = {
  clientAuthMethods,
  cookies: { keys: [secret()] },
  findAccount(ctx, id) {
    const account = accounts[id];
    if (!account) return undefined;
    return {
      accountId: id,
      async claims() {
        return { ...account };
      },
    };
  },
  claims: {
    openid: ['sub'],
    profile: ['name', 'given_name', 'family_name', 'preferred_username'],
    email: ['email', 'email_verified'],
  },
  scopes: ['openid', 'offline_access', 'profile', 'email'],
  // The defaults and the HMAC algorithms, for client-hmac-responses.
  enabledJWA: {
    idTokenSigningAlgValues: ['HS256', 'RS256', 'PS256', 'ES256', 'Ed25519', 'EdDSA'],
    userinfoSigningAlgValues: ['HS384', 'RS256', 'PS256', 'ES256', 'Ed25519', 'EdDSA'],
    introspectionSigningAlgValues: ['HS512', 'RS256', 'PS256', 'ES256', 'Ed25519', 'EdDSA'],
  },
  features: {
    ...advancedFeatures,
    devInteractions: { enabled: false },
    clientCredentials: { enabled: true },
    introspection: { enabled: true },
    jwtIntrospection: { enabled: true },
    jwtUserinfo: { enabled: true },
    encryption: { enabled: true },
    revocation: { enabled: true },
    claimsParameter: { enabled: true },
    registration: {
      enabled: true,
      initialAccessToken: INITIAL_ACCESS_TOKEN,
      issueRegistrationAccessToken: true,
    },
    registrationManagement: { enabled: true, rotateRegistrationAccessToken: false },
    rpInitiatedLogout: { enabled: true },
    dPoP: {
      enabled: true,
      nonceSecret: randomBytes(32),
      // Nonces (RFC 9449 §8, §9): every request of `client-dpop-nonce`, and every DPoP
      // request at the UserInfo endpoint (a resource server: 401 with a DPoP challenge).
      requireNonce(ctx) {
        return ctx.oidc.client?.clientId === 'client-dpop-nonce' || ctx.oidc.route === 'userinfo';
      },
    },
    resourceIndicators: {
      enabled: true,
      defaultResource(ctx, client, oneOf) {
        if (oneOf) return oneOf;
        // The client credentials grant needs a resource to carry scopes; the other grants
        // default to tokens for the UserInfo endpoint.
        return ctx.oidc.params?.grant_type === 'client_credentials' ? 'urn:test:api' : undefined;
      },
      useGrantedResource() {
        return true;
      },
      getResourceServerInfo(ctx, resourceIndicator) {
        const info = resourceServers[resourceIndicator];
        if (!info) throw new errors.InvalidTarget();
        return info;
      },
    },
  },
  issueRefreshToken(ctx, client) {
    return client.grantTypeAllowed('refresh_token');
  },
  ttl: {
    AccessToken: 600,
    AuthorizationCode(ctx, code, client) {
      return client.clientId === 'client-short-code' ? 1 : 60;
    },
    ClientCredentials: 600,
    DeviceCode: 600,
    BackchannelAuthenticationRequest: 600,
    Grant: 3600,
    IdToken: 600,
    Interaction: 600,
    RefreshToken: 3600,
    Session: 3600,
  },
  interactions: {
    url(ctx, interaction) {
      return `${MOUNT}/interaction/${interaction.uid}`;
    },
  },
  discovery: {
    // Not a registered metadata field: tests check that unknown fields are kept.
    x_jose_rs_test: 'kept',
  },
  renderError(ctx, out) {
    ctx.type = 'application/json';
    ctx.body = out;
  },
};
cibaConfigure({ configuration, clients, clientKeys, secret });
cliConfigure({ clients, clientKeys, secret });
logoutConfigure({
  configuration, clients, secret,
  redirectUri: REDIRECT_URI, postLogoutRedirectUri: POST_LOGOUT_REDIRECT_URI,
});

// ---- Interactions -----------------------------------------------------------------------------

async function interaction(provider, req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;

  if (prompt.name === 'login') {
    const hint = params.login_hint ?? 'alice';
    if (hint === 'deny') {
      const result = { error: 'access_denied', error_description: 'the test user refused' };
      return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    }
    if (!accounts[hint]) {
      const result = { error: 'login_required', error_description: 'unknown test account' };
      return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
    }
    const result = { login: { accountId: hint } };
    return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
  }

  if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = prompt.details;
    if (missingOIDCScope) grant.addOIDCScope(missingOIDCScope.join(' '));
    if (missingOIDCClaims) grant.addOIDCClaims(missingOIDCClaims);
    if (missingResourceScopes) {
      for (const [indicator, scopes] of Object.entries(missingResourceScopes)) {
        grant.addResourceScope(indicator, scopes.join(' '));
      }
    }
    for (const detail of prompt.details.rar ?? []) grant.addRar(detail);
    const grantId = await grant.save();
    const consent = details.grantId ? {} : { grantId };
    return provider.interactionFinished(req, res, { consent }, { mergeWithLastSubmission: true });
  }

  const result = { error: 'invalid_request', error_description: `unexpected prompt ${prompt.name}` };
  return provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false });
}

// ---- Server -----------------------------------------------------------------------------------

let issuer;
let provider;
let metadataCallback;

// Constructs the provider from the configuration and the current signing keys; again at every
// key rotation (oidc-provider removes `jwks` and `clients` from the object it is given, so each
// construction gets an object of its own).
function buildProvider() {
  provider = new Provider(issuer, {
    ...configuration,
    clients,
    jwks: { keys: signingKeys.keys() },
  });
  cibaInstall(provider);
  cliInstall(provider);
  logoutInstall(provider);
  provider.on('server_error', (ctx, err) => console.error('server_error', err));
  metadataCallback = provider.callback();
}

function sendJson(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

const server = createServer(async (req, res) => {
  try {
    const path = req.url.split('?')[0];
    signingKeys.seen(path, `${MOUNT}/jwks`);
    // RFC 8414 §3: the well-known suffix goes between the host and the issuer's path.
    if (path === `/.well-known/oauth-authorization-server${MOUNT}`) {
      // Same document as OpenID Connect discovery; the original URL tells the provider its
      // mount path so that the endpoints keep the issuer's path.
      req.originalUrl = `${MOUNT}/.well-known/openid-configuration`;
      req.url = '/.well-known/openid-configuration';
      return metadataCallback(req, res);
    }
    if (path === '/control/device') {
      return await deviceControl(provider, {
        accounts, resourceServers, oidcScopes: configuration.scopes,
      }, req, res);
    }
    if (path === '/control/signing-keys') {
      return await signingKeysControl(signingKeys, buildProvider, req, res);
    }
    if (path.startsWith(`${MOUNT}/interaction/`)) {
      req.originalUrl = req.url;
      req.url = req.url.slice(MOUNT.length);
      return await interaction(provider, req, res);
    }
    if (path === MOUNT || path.startsWith(`${MOUNT}/`)) {
      req.originalUrl = req.url;
      req.url = req.url.slice(MOUNT.length) || '/';
      return provider.callback()(req, res);
    }
    sendJson(res, 404, { error: 'not_found' });
  } catch (err) {
    console.error(err);
    if (!res.headersSent) sendJson(res, 500, { error: 'server_error', error_description: String(err) });
  }
});

server.listen(0, '127.0.0.1', async () => {
  const { port } = server.address();
  issuer = `http://127.0.0.1:${port}${MOUNT}`;
  // The TLS listener serves the same routes; mTLS clients use it through the aliases.
  const tls = await listenTls(pki, server.listeners('request')[0]);
  const mtlsBase = `https://127.0.0.1:${tls.address().port}${MOUNT}`;
  configuration.discovery.mtls_endpoint_aliases = mtlsEndpointAliases(mtlsBase);
  buildProvider();

  const state = {
    issuer,
    redirect_uri: REDIRECT_URI,
    post_logout_redirect_uri: POST_LOGOUT_REDIRECT_URI,
    initial_access_token: INITIAL_ACCESS_TOKEN,
    mtls_base: mtlsBase,
    clients: Object.fromEntries(clients.map((c) => [c.client_id, c])),
    client_private_keys: clientKeys,
    provider_jwks: { keys: signingKeys.keys().map(publicPart) },
    resources: Object.keys(resourceServers),
    accounts,
  };
  writeFileSync(stateFile, JSON.stringify(state, null, 2));
  process.stdout.write(`READY ${issuer}\n`);
});
