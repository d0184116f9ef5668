// The advanced part of the test provider (oauth-client part 2): PAR, JAR, JARM, the hybrid flow
// with FAPI 1.0 detached signatures, the device flow with a control route, rich authorization
// requests, and a TLS listener with client certificates for mTLS (RFC 8705).
//
// provider.mjs imports this module and spreads what it returns into its keys, clients,
// features and routes; everything specific to these flows lives here.

import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer as createHttpsServer } from 'node:https';
import { join } from 'node:path';

function privateJwk(type, options, extra) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), ...extra };
}

function publicPart(jwk) {
  const { d, p, q, dp, dq, qi, ...pub } = jwk;
  return pub;
}

// ---- Keys -------------------------------------------------------------------------------------

// Decryption keys of the provider, for encrypted request objects.
export const providerEncryptionKeys = [
  privateJwk('rsa', { modulusLength: 2048 }, { kid: 'op-enc-rsa', use: 'enc', alg: 'RSA-OAEP-256' }),
  privateJwk('ec', { namedCurve: 'P-256' }, { kid: 'op-enc-p256', use: 'enc', alg: 'ECDH-ES' }),
];

// Private keys of the clients below; the state file carries them to the tests.
export const advancedClientKeys = {
  // Signs request objects (JAR).
  'client-jar': privateJwk('ec', { namedCurve: 'P-256' }, { kid: 'rp-jar', alg: 'ES256', use: 'sig' }),
  'client-jar-encrypted': privateJwk('ec', { namedCurve: 'P-256' }, { kid: 'rp-jar-enc', alg: 'ES256', use: 'sig' }),
  // Decrypts JARM responses.
  'client-jarm-encrypted': privateJwk('ec', { namedCurve: 'P-256' }, { kid: 'rp-jarm-enc', alg: 'ECDH-ES', use: 'enc' }),
};

// ---- TLS (mTLS) -------------------------------------------------------------------------------

// The test PKI the Rust harness generated: CA, server certificate and key, and the
// self-signed certificate of `client-mtls-self-signed`.
export function readPki(dir) {
  const read = (name) => readFileSync(join(dir, name), 'utf8');
  return {
    ca: read('ca.pem'),
    cert: read('server.pem'),
    key: read('server.key'),
    selfSigned: read('self-signed.pem'),
  };
}

// The client certificate of the TLS connection, when there is one.
function getCertificate(ctx) {
  const socket = ctx.req?.socket;
  if (typeof socket?.getPeerX509Certificate !== 'function') return undefined;
  return socket.getPeerX509Certificate();
}

// A CA-issued certificate: the TLS layer verified it against the test CA.
function certificateAuthorized(ctx) {
  return ctx.req?.socket?.authorized === true;
}

// `tls_client_auth_subject_dn`, compared as a set of RDNs (their order differs between
// RFC 4514 strings and OpenSSL's rendering).
function certificateSubjectMatches(ctx, property, expected) {
  if (property !== 'tls_client_auth_subject_dn') return false;
  const cert = getCertificate(ctx);
  if (!cert) return false;
  const rdns = (s) => s.split(/[\n,]/).map((x) => x.trim()).filter(Boolean).sort().join(',');
  return rdns(cert.subject) === rdns(expected);
}

// Starts the TLS listener on an ephemeral port of 127.0.0.1. Client certificates are asked
// for but not required at the TLS layer (self-signed ones are checked by the provider).
export function listenTls(pki, handler) {
  const server = createHttpsServer({
    key: pki.key,
    cert: pki.cert,
    ca: pki.ca,
    requestCert: true,
    rejectUnauthorized: false,
  }, handler);
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

// `mtls_endpoint_aliases` for the discovery document.
export function mtlsEndpointAliases(tlsBase) {
  return {
    token_endpoint: `${tlsBase}/token`,
    introspection_endpoint: `${tlsBase}/token/introspection`,
    revocation_endpoint: `${tlsBase}/token/revocation`,
    userinfo_endpoint: `${tlsBase}/me`,
    pushed_authorization_request_endpoint: `${tlsBase}/request`,
    device_authorization_endpoint: `${tlsBase}/device/auth`,
  };
}

// ---- Clients ----------------------------------------------------------------------------------

export function advancedClients({ secret, confidential, redirectUri, pki }) {
  const selfSigned = new X509Certificate(pki.selfSigned);
  const selfSignedJwk = {
    ...selfSigned.publicKey.export({ format: 'jwk' }),
    kid: 'rp-mtls-self-signed',
    use: 'sig',
    x5c: [selfSigned.raw.toString('base64')],
  };
  return [
    {
      // PAR is mandatory for this client (RFC 9126 §6).
      ...confidential,
      client_id: 'client-par-required',
      client_secret: secret(),
      token_endpoint_auth_method: 'client_secret_basic',
      require_pushed_authorization_requests: true,
    },
    {
      // Signed request objects are mandatory for this client (RFC 9101 §10.5).
      ...confidential,
      client_id: 'client-jar',
      client_secret: secret(),
      token_endpoint_auth_method: 'client_secret_basic',
      request_object_signing_alg: 'ES256',
      require_signed_request_object: true,
      jwks: { keys: [publicPart(advancedClientKeys['client-jar'])] },
    },
    {
      // Signed, then encrypted to the provider's RSA key, request objects.
      ...confidential,
      client_id: 'client-jar-encrypted',
      client_secret: secret(),
      token_endpoint_auth_method: 'client_secret_basic',
      request_object_signing_alg: 'ES256',
      request_object_encryption_alg: 'RSA-OAEP-256',
      request_object_encryption_enc: 'A256GCM',
      require_signed_request_object: true,
      jwks: { keys: [publicPart(advancedClientKeys['client-jar-encrypted'])] },
    },
    {
      // Signed (ES256) JARM responses.
      ...confidential,
      client_id: 'client-jarm',
      client_secret: secret(),
      token_endpoint_auth_method: 'client_secret_basic',
      authorization_signed_response_alg: 'ES256',
    },
    {
      // Signed (RS256) then encrypted (ECDH-ES, A256GCM) JARM responses.
      ...confidential,
      client_id: 'client-jarm-encrypted',
      client_secret: secret(),
      token_endpoint_auth_method: 'client_secret_basic',
      authorization_signed_response_alg: 'RS256',
      authorization_encrypted_response_alg: 'ECDH-ES',
      authorization_encrypted_response_enc: 'A256GCM',
      jwks: { keys: [publicPart(advancedClientKeys['client-jarm-encrypted'])] },
    },
    {
      // The hybrid flow, `code id_token`.
      ...confidential,
      client_id: 'client-hybrid',
      client_secret: secret(),
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'implicit', 'refresh_token'],
      response_types: ['code id_token', 'code'],
    },
    {
      // FAPI 1.0 Final profile: the hybrid flow's ID Token carries `s_hash`.
      ...confidential,
      client_id: 'client-fapi1',
      client_secret: secret(),
      token_endpoint_auth_method: 'client_secret_basic',
      grant_types: ['authorization_code', 'implicit', 'refresh_token'],
      response_types: ['code id_token'],
      id_token_signed_response_alg: 'ES256',
    },
    {
      // The device authorization grant, as a public client.
      client_id: 'client-device',
      token_endpoint_auth_method: 'none',
      redirect_uris: [],
      grant_types: ['urn:ietf:params:oauth:grant-type:device_code', 'refresh_token'],
      response_types: [],
    },
    {
      // `tls_client_auth` with a certificate the test CA issued; certificate-bound tokens.
      ...confidential,
      client_id: 'client-mtls',
      token_endpoint_auth_method: 'tls_client_auth',
      tls_client_auth_subject_dn: 'CN=client-mtls,O=jose-rs test provider',
      tls_client_certificate_bound_access_tokens: true,
    },
    {
      // `self_signed_tls_client_auth`: the certificate is registered in `jwks` (`x5c`).
      ...confidential,
      client_id: 'client-mtls-self-signed',
      token_endpoint_auth_method: 'self_signed_tls_client_auth',
      tls_client_certificate_bound_access_tokens: true,
      jwks: { keys: [selfSignedJwk] },
    },
  ].map((client) => ({
    ...client,
    redirect_uris: client.redirect_uris ?? [redirectUri],
    authorization_details_types: [RAR_TYPE],
  }));
}

// Every client authentication method, mTLS ones included.
export const clientAuthMethods = [
  'none', 'client_secret_basic', 'client_secret_jwt', 'client_secret_post', 'private_key_jwt',
  'tls_client_auth', 'self_signed_tls_client_auth',
];

// ---- Features ---------------------------------------------------------------------------------

const RAR_TYPE = 'urn:test:payment';

function parseDetails(value) {
  if (typeof value !== 'string') return undefined;
  try {
    return JSON.parse(value);
  } catch {
    return undefined;
  }
}

export const advancedFeatures = {
  requestObjects: { enabled: true, requireSignedRequestObject: false },
  jwtResponseModes: { enabled: true },
  deviceFlow: { enabled: true, charset: 'base-20', mask: '****-****' },
  fapi: {
    enabled: true,
    profile(ctx, client) {
      return client?.clientId === 'client-fapi1' ? '1.0 Final' : undefined;
    },
  },
  mTLS: {
    enabled: true,
    certificateBoundAccessTokens: true,
    selfSignedTlsClientAuth: true,
    tlsClientAuth: true,
    getCertificate,
    certificateAuthorized,
    certificateSubjectMatches,
  },
  richAuthorizationRequests: {
    enabled: true,
    types: {
      [RAR_TYPE]: {
        validate(ctx, detail) {
          if (detail.actions !== undefined && !Array.isArray(detail.actions)) {
            throw new TypeError('actions must be an array');
          }
        },
      },
    },
    // What the user consented to (the interaction grants every requested detail).
    authorizationDetailsForGrantSource(ctx) {
      return ctx.oidc.grant?.rar ?? parseDetails(ctx.oidc.params.authorization_details);
    },
    authorizationDetailsForAccessToken(ctx, token, source) {
      return source?.rar ?? parseDetails(ctx.oidc.params.authorization_details);
    },
    authorizationDetailsForIntrospection(ctx, token) {
      return token.rar;
    },
  },
};

// ---- Device flow control route ----------------------------------------------------------------

export function readBody(req) {
  return new Promise((resolve, reject) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (chunk) => {
      body += chunk;
      if (body.length > 64 * 1024) reject(new Error('body too large'));
    });
    req.on('end', () => resolve(body));
    req.on('error', reject);
  });
}

// POST /control/device {"user_code", "action": "approve" | "deny", "account"}: what a user does
// on the verification page, without the page. Approval grants the requested OpenID scopes,
// the requested resources' scopes and the authorization details.
export async function deviceControl(provider, { accounts, resourceServers, oidcScopes }, req, res) {
  const reply = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method !== 'POST') return reply(405, { error: 'method_not_allowed' });
  const input = JSON.parse(await readBody(req));
  const normalized = String(input.user_code ?? '').toUpperCase().replace(/\W/g, '');
  const code = await provider.DeviceCode.findByUserCode(normalized, { ignoreExpiration: true });
  if (!code) return reply(404, { error: 'unknown_user_code' });
  if (code.isExpired) return reply(410, { error: 'expired_user_code' });
  if (code.accountId || code.error || code.inFlight) return reply(409, { error: 'already_used' });

  if (input.action === 'deny') {
    Object.assign(code, { error: 'access_denied', errorDescription: 'the test user refused' });
    await code.save();
    return reply(200, { denied: true });
  }
  const accountId = input.account ?? 'alice';
  if (!accounts[accountId]) return reply(400, { error: 'unknown_account' });

  const params = code.params ?? {};
  const requested = String(params.scope ?? '').split(' ').filter(Boolean);
  const grant = new provider.Grant({ accountId, clientId: code.clientId });
  const oidc = requested.filter((s) => oidcScopes.includes(s));
  if (oidc.length) grant.addOIDCScope(oidc.join(' '));
  let resources = params.resource === undefined ? [] : [].concat(params.resource);
  resources = resources.filter((r) => resourceServers[r]);
  for (const resource of resources) {
    const allowed = resourceServers[resource].scope.split(' ');
    const scopes = requested.filter((s) => allowed.includes(s));
    grant.addResourceScope(resource, scopes.join(' '));
  }
  const rar = parseDetails(params.authorization_details);
  if (Array.isArray(rar)) for (const detail of rar) grant.addRar(detail);
  const grantId = await grant.save();

  Object.assign(code, {
    accountId,
    grantId,
    authTime: Math.floor(Date.now() / 1000),
    scope: requested.join(' '),
    ...(resources.length === 1 ? { resource: resources[0] } : {}),
    ...(resources.length > 1 ? { resource: resources } : {}),
    ...(Array.isArray(rar) ? { rar } : {}),
  });
  await code.save();
  return reply(200, { approved: true });
}
