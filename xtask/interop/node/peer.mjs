// Interop peer: panva's `jose` (npm). Reads one JSON request on stdin, writes one JSON answer on
// stdout. Driven by `cargo xtask interop`; see docs/interop.md for the protocol.
//
// Request:  {"tasks": [{"id": "...", "op": "...", ...}, ...]}
// Answer:   {"peer": "jose (npm) x.y.z", "results": [{"id": "...", "ok": true, ...} |
//            {"id": "...", "ok": false, "error": "...", "unsupported": bool}]}

import * as jose from 'jose';
import { readFileSync } from 'node:fs';

const VERSION = JSON.parse(
  readFileSync(new URL('./node_modules/jose/package.json', import.meta.url)),
).version;

const b64 = jose.base64url;
const text = new TextEncoder();

// Algorithms this peer implements (the documented support of jose 6); anything else is reported
// as unsupported rather than as a failure.
const JWS_ALGS = new Set([
  'HS256', 'HS384', 'HS512', 'RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512',
  'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519',
]);
const JWE_ALGS = new Set([
  'RSA-OAEP', 'RSA-OAEP-256', 'RSA-OAEP-384', 'RSA-OAEP-512', 'A128KW', 'A192KW', 'A256KW',
  'dir', 'ECDH-ES', 'ECDH-ES+A128KW', 'ECDH-ES+A192KW', 'ECDH-ES+A256KW', 'A128GCMKW',
  'A192GCMKW', 'A256GCMKW', 'PBES2-HS256+A128KW', 'PBES2-HS384+A192KW', 'PBES2-HS512+A256KW',
]);
const JWE_ENCS = new Set([
  'A128CBC-HS256', 'A192CBC-HS384', 'A256CBC-HS512', 'A128GCM', 'A192GCM', 'A256GCM',
]);

class Unsupported extends Error {}

function requireSupport(set, alg) {
  if (!set.has(alg)) throw new Unsupported(`${alg} is not implemented by jose`);
}

// The key a JWK stands for, for `alg`. Symmetric keys and PBES2 passwords are octets.
async function key(jwk, alg) {
  if (jwk.kty === 'oct') return b64.decode(jwk.k);
  return jose.importJWK(jwk, alg);
}

async function publicKey(jwk, alg) {
  if (jwk.kty === 'oct') return b64.decode(jwk.k);
  const { d, p, q, dp, dq, qi, ...pub } = jwk;
  void d; void p; void q; void dp; void dq; void qi;
  return jose.importJWK(pub, alg);
}

// A key resolver for a JWK or a JWK Set, picking by kid and alg from the header.
function resolver(keyOrSet) {
  return async (protectedHeader, token) => {
    // jose passes the protected header; the unprotected one is on the token.
    const header = { ...(token?.header ?? {}), ...(protectedHeader ?? {}) };
    const keys = keyOrSet.keys ?? [keyOrSet];
    const fits = keys.filter(
      (k) => (!header.kid || !k.kid || k.kid === header.kid) && (!k.alg || k.alg === header.alg),
    );
    // Key selection from a set is this driver's, not jose's: not the peer's verdict.
    if (fits.length === 0) {
      throw new Unsupported('no key for this header (key selection from a JWK Set is done by the driver)');
    }
    return publicKey(fits[0], header.alg);
  };
}

async function verify(task) {
  const options = { algorithms: task.algorithms };
  if (task.critical?.length) {
    options.crit = Object.fromEntries(task.critical.map((c) => [c, true]));
  }
  const detached = task.detached ? b64.decode(task.payload_b64) : undefined;
  const getKey = resolver(task.key);
  let result;
  if (task.serialization === 'compact') {
    let token = task.jws;
    if (detached !== undefined) {
      // jose verifies a detached compact JWS given as a flattened object without payload.
      const [protectedHeader, , signature] = token.split('.');
      const header = JSON.parse(new TextDecoder().decode(b64.decode(protectedHeader)));
      const payload = header.b64 === false ? detached : b64.encode(detached);
      result = await jose.flattenedVerify({ protected: protectedHeader, payload, signature }, getKey, options);
    } else {
      result = await jose.compactVerify(token, getKey, options);
    }
  } else {
    const jws = typeof task.jws === 'string' ? JSON.parse(task.jws) : task.jws;
    if (detached !== undefined) {
      const header = jws.protected
        ? JSON.parse(new TextDecoder().decode(b64.decode(jws.protected ?? jws.signatures[0].protected)))
        : {};
      jws.payload = header.b64 === false ? new TextDecoder().decode(detached) : b64.encode(detached);
    }
    if (jws.signatures) {
      // jose's generalVerify succeeds when one signature verifies, as our verifier does.
      result = await jose.generalVerify(jws, getKey, options);
    } else {
      result = await jose.flattenedVerify(jws, getKey, options);
    }
  }
  return { payload_b64: b64.encode(result.payload) };
}

async function sign(task) {
  requireSupport(JWS_ALGS, task.alg);
  const k = await key(task.key, task.alg);
  const payload = b64.decode(task.payload_b64);
  const header = { alg: task.alg };
  if (task.serialization === 'flattened') {
    return { jws: await new jose.FlattenedSign(payload).setProtectedHeader(header).sign(k) };
  }
  return { jws: await new jose.CompactSign(payload).setProtectedHeader(header).sign(k) };
}

async function generateKey(alg, forEncryption, enc) {
  if (alg.startsWith('HS')) {
    const secret = await jose.generateSecret(alg, { extractable: true });
    return { privateKey: secret, publicJwk: await jose.exportJWK(secret) };
  }
  if (forEncryption && (alg === 'dir' || /^A\d+(GCM)?KW$/.test(alg))) {
    const secret = await jose.generateSecret(alg === 'dir' ? enc : alg, { extractable: true });
    return { privateKey: secret, publicJwk: await jose.exportJWK(secret) };
  }
  const pair = await jose.generateKeyPair(alg, { extractable: true });
  return { privateKey: pair.privateKey, publicKey: pair.publicKey, publicJwk: await jose.exportJWK(pair.publicKey), privateJwk: await jose.exportJWK(pair.privateKey) };
}

// Signs with a fresh key of its own; answers with the public JWK.
async function generateAndSign(task) {
  requireSupport(JWS_ALGS, task.alg);
  const { privateKey, publicJwk } = await generateKey(task.alg, false);
  const payload = b64.decode(task.payload_b64);
  const jws = await new jose.CompactSign(payload).setProtectedHeader({ alg: task.alg }).sign(privateKey);
  return { jws, key: publicJwk };
}

async function encrypt(task) {
  requireSupport(JWE_ALGS, task.alg);
  requireSupport(JWE_ENCS, task.enc);
  const k = task.key.kty === 'oct' ? b64.decode(task.key.k) : await publicKey(task.key, task.alg);
  const builder = new jose.CompactEncrypt(b64.decode(task.plaintext_b64)).setProtectedHeader({ alg: task.alg, enc: task.enc });
  if (task.alg.startsWith('PBES2')) builder.setKeyManagementParameters({ p2c: task.p2c ?? 10000 });
  return { jwe: await builder.encrypt(k) };
}

async function decrypt(task) {
  requireSupport(JWE_ALGS, task.alg);
  requireSupport(JWE_ENCS, task.enc);
  const k = task.key.kty === 'oct' ? b64.decode(task.key.k) : await jose.importJWK(task.key, task.alg);
  const options = {
    keyManagementAlgorithms: task.algorithms ?? [task.alg],
    contentEncryptionAlgorithms: task.encryptions ?? [task.enc],
  };
  if (task.max_p2c) options.maxPBES2Count = task.max_p2c;
  let result;
  if (typeof task.jwe === 'string') {
    result = await jose.compactDecrypt(task.jwe, k, options);
  } else if (task.jwe.recipients) {
    result = await jose.generalDecrypt(task.jwe, k, options);
  } else {
    result = await jose.flattenedDecrypt(task.jwe, k, options);
  }
  return { plaintext_b64: b64.encode(result.plaintext) };
}

// Decrypt key generation: a fresh key pair (or secret) whose public half is sent to the other side.
async function generateAndEncryptKey(task) {
  requireSupport(JWE_ALGS, task.alg);
  requireSupport(JWE_ENCS, task.enc);
  if (task.alg.startsWith('PBES2')) {
    const password = b64.encode(crypto.getRandomValues(new Uint8Array(24)));
    return { key: { kty: 'oct', k: password }, private: { kty: 'oct', k: password } };
  }
  const { publicJwk, privateJwk } = await generateKey(task.alg, true, task.enc);
  return { key: publicJwk, private: privateJwk ?? publicJwk };
}

async function thumbprint(task) {
  const digest = { 'sha-256': 'sha256', 'sha-384': 'sha384', 'sha-512': 'sha512' }[task.hash];
  const { d, p, q, dp, dq, qi, ...pub } = task.jwk;
  void d; void p; void q; void dp; void dq; void qi;
  return {
    thumbprint_b64: await jose.calculateJwkThumbprint(pub, digest),
    uri: await jose.calculateJwkThumbprintUri(pub, digest),
  };
}

// JWT claim validation with an explicit policy and clock (the `jwt` vectors).
async function jwtVerify(task) {
  const v = task.validation;
  const options = {
    algorithms: v.algorithms,
    currentDate: new Date(v.now * 1000),
    clockTolerance: v.leeway_seconds,
  };
  if (v.issuer !== undefined) options.issuer = v.issuer;
  if (v.audience !== undefined) options.audience = v.audience;
  if (v.subject !== undefined) options.subject = v.subject;
  if (v.typ !== undefined) options.typ = v.typ;
  if (v.max_age_seconds !== undefined) options.maxTokenAge = v.max_age_seconds;
  if (v.required_claims?.length) options.requiredClaims = v.required_claims;
  const { payload } = await jose.jwtVerify(task.jwt, resolver(task.key), options);
  return { claims: payload };
}

// The algorithm importJWK needs for a JWK without "alg": the one its type and curve imply.
function importAlg(jwk) {
  if (typeof jwk.alg === 'string') return jwk.alg;
  if (jwk.kty === 'RSA') return 'RS256';
  if (jwk.kty === 'EC') return { 'P-256': 'ES256', 'P-384': 'ES384', 'P-521': 'ES512' }[jwk.crv] ?? 'ES256';
  if (jwk.kty === 'OKP') return jwk.crv === 'X25519' ? 'ECDH-ES' : 'EdDSA';
  return 'HS256';
}

// JWK and JWK Set import (the `jwk` vectors): JSON.parse, then importJWK (every key of a set,
// after createLocalJWKSet has checked the set's shape).
async function jwkImport(task) {
  const value = JSON.parse(task.jwk_json);
  const keys = task.set ? (jose.createLocalJWKSet(value), value.keys) : [value];
  for (const jwk of keys) await jose.importJWK(jwk, importAlg(jwk));
  return {};
}

// DPoP proofs (the `dpop` vectors): jose has no DPoP verifier; its jwtVerify checks the JWT
// part the way RFC 9449 §4.3 asks (the embedded public key, typ, alg, iat window, required
// claims). The request binding (htm, htu, ath, nonce, cnf.jkt) is the application's, so
// vectors about it are not sent (n/a).
async function dpopVerify(task) {
  if (task.binding_only) {
    throw new Unsupported(
      'jose has no DPoP verifier: the request binding (htm, htu, ath, nonce, cnf.jkt) is application code',
    );
  }
  const p = task.policy;
  const { payload } = await jose.jwtVerify(task.proof, jose.EmbeddedJWK, {
    typ: 'dpop+jwt',
    algorithms: p.algorithms,
    currentDate: new Date(p.now * 1000),
    maxTokenAge: p.max_age_seconds,
    clockTolerance: p.leeway_seconds,
    requiredClaims: ['iat', 'jti', 'htm', 'htu'],
  });
  return { claims: payload };
}

const OPS = {
  'jwk-import': jwkImport,
  'dpop-verify': dpopVerify,
  'jwt-verify': jwtVerify,
  verify,
  sign,
  'generate-and-sign': generateAndSign,
  encrypt,
  decrypt,
  'generate-decryption-key': generateAndEncryptKey,
  thumbprint,
};

async function main() {
  const input = JSON.parse(readFileSync(0, 'utf8'));
  const results = [];
  for (const task of input.tasks) {
    const op = OPS[task.op];
    try {
      if (!op) throw new Unsupported(`operation ${task.op}`);
      results.push({ id: task.id, ok: true, ...(await op(task)) });
    } catch (e) {
      results.push({
        id: task.id,
        ok: false,
        unsupported: e instanceof Unsupported,
        // jose's errors carry a string code (ERR_JWS_INVALID); WebCrypto's DOMException a
        // numeric legacy one, so its name is used instead.
        error: e instanceof Unsupported ? e.message : `${typeof e.code === 'string' ? e.code : e.name}: ${e.message}`,
      });
    }
  }
  process.stdout.write(JSON.stringify({ peer: `jose (npm) ${VERSION}`, results }));
}

await main();
