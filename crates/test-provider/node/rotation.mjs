// Key rotation at the provider (issue 16): the provider's ES256 signing keys change while the
// script runs, the way a deployment rotates them: publish a new key beside the old one and sign
// with it, then remove the old one. oidc-provider reads `jwks` once, when it is constructed, so
// every change builds a new Provider on the same issuer, port, clients and configuration (a
// restart in place; `provider.mjs` passes the function that does it). The JWK Set endpoint's
// requests are counted, so that tests can see how often a resource server refetched it.
//
// GET  /control/signing-keys                   -> {"es256": [kid, ...], "jwks_fetches": n}
// POST /control/signing-keys {"es256": [kid, ...]}
//   publishes exactly these P-256 keys (a kid seen for the first time gets a fresh key, a kid
//   left out is removed for good), signs ES256 tokens with the first one, and answers as GET.

import { generateKeyPairSync } from 'node:crypto';
import { readBody } from './advanced.mjs';

function p256(kid) {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...privateKey.export({ format: 'jwk' }), kid, use: 'sig' };
}

export class SigningKeys {
  // `initial`: the first ES256 key (a private JWK with its kid); `others`: every other key of
  // the provider (RSA, Ed25519, encryption), which never changes.
  constructor(initial, others) {
    this.es256 = new Map([[initial.kid, initial]]);
    this.order = [initial.kid];
    this.others = others;
    this.jwksFetches = 0;
  }

  // The private keys for the provider's `jwks`: the ES256 keys in order (oidc-provider signs
  // with the first key that fits the algorithm), then the others.
  keys() {
    return [...this.order.map((kid) => this.es256.get(kid)), ...this.others];
  }

  // Counts a request of the JWK Set endpoint.
  seen(path, jwksPath) {
    if (path === jwksPath) this.jwksFetches += 1;
  }

  status() {
    return { es256: this.order, jwks_fetches: this.jwksFetches };
  }

  // Checks and applies a new list of ES256 kids; returns an error message or undefined.
  publish(kids) {
    if (!Array.isArray(kids) || kids.length === 0 || kids.some((k) => typeof k !== 'string' || !k)) {
      return 'es256 must be a non-empty array of kids';
    }
    if (new Set(kids).size !== kids.length) return 'duplicate kid';
    const taken = new Set(this.others.map((k) => k.kid));
    if (kids.some((k) => taken.has(k))) return 'kid already used by another key';
    for (const kid of kids) {
      if (!this.es256.has(kid)) this.es256.set(kid, p256(kid));
    }
    // A removed key is gone: publishing its kid again later gets a new key.
    for (const kid of this.order) {
      if (!kids.includes(kid)) this.es256.delete(kid);
    }
    this.order = [...kids];
    return undefined;
  }
}

// The control route. `rebuild()` constructs the provider again from `signingKeys.keys()`.
export async function signingKeysControl(signingKeys, rebuild, req, res) {
  const reply = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
  if (req.method === 'GET') return reply(200, signingKeys.status());
  if (req.method !== 'POST') return reply(405, { error: 'method_not_allowed' });
  let input;
  try {
    input = JSON.parse(await readBody(req));
  } catch (err) {
    return reply(400, { error: 'invalid_request', error_description: String(err) });
  }
  const problem = signingKeys.publish(input?.es256);
  if (problem) return reply(400, { error: 'invalid_request', error_description: problem });
  rebuild();
  return reply(200, signingKeys.status());
}
