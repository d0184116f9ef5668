"""Interop peer for `cargo xtask interop`: jwcrypto or joserfc (PyPI).

Usage: peer.py jwcrypto|joserfc < request.json > answer.json

Request:  {"tasks": [{"id": "...", "op": "...", ...}, ...]}
Answer:   {"peer": "jwcrypto x.y.z", "results": [{"id": "...", "ok": true, ...} |
           {"id": "...", "ok": false, "error": "...", "unsupported": bool}]}

The operations and their members are described in docs/interop.md. Also validates the vector
files against vectors/schema.json (operation "schema"), with the jsonschema package.
"""

import base64
import json
import os
import sys
from importlib import metadata


def b64e(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64d(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class Unsupported(Exception):
    pass


JWS_ALGS = {
    "HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "PS256", "PS384", "PS512",
    "ES256", "ES384", "ES512", "EdDSA", "Ed25519",
}
# Neither library implements RSA-OAEP-384 or RSA-OAEP-512.
JWE_ALGS = {
    "RSA-OAEP", "RSA-OAEP-256", "A128KW", "A192KW", "A256KW", "dir", "ECDH-ES",
    "ECDH-ES+A128KW", "ECDH-ES+A192KW", "ECDH-ES+A256KW", "A128GCMKW", "A192GCMKW",
    "A256GCMKW", "PBES2-HS256+A128KW", "PBES2-HS384+A192KW", "PBES2-HS512+A256KW",
}
JWE_ENCS = {"A128CBC-HS256", "A192CBC-HS384", "A256CBC-HS512", "A128GCM", "A192GCM", "A256GCM"}


def require(supported, alg):
    if alg not in supported:
        raise Unsupported(f"{alg} is not implemented")


def public_part(jwk: dict) -> dict:
    if jwk.get("kty") == "oct":
        return jwk
    return {k: v for k, v in jwk.items() if k not in ("d", "p", "q", "dp", "dq", "qi", "oth")}


def keys_of(key_or_set: dict) -> list:
    return key_or_set["keys"] if "keys" in key_or_set else [key_or_set]


def pick(key_or_set: dict, header: dict) -> dict:
    for k in keys_of(key_or_set):
        if header.get("kid") and k.get("kid") and k["kid"] != header["kid"]:
            continue
        if k.get("alg") and k["alg"] != header.get("alg"):
            continue
        return public_part(k)
    # Key selection from a set is this driver's, not the library's: not the peer's verdict.
    raise Unsupported("no key for this header (key selection from a JWK Set is done by the driver)")


def enc_key_kind(alg: str, enc: str):
    """What `generate-decryption-key` makes for an alg: (kty, size or curve)."""
    if alg.startswith("RSA"):
        return ("RSA", 2048)
    if alg.startswith("ECDH-ES"):
        return ("EC", "P-256")
    if alg == "dir":
        return ("oct", {"A128CBC-HS256": 256, "A192CBC-HS384": 384, "A256CBC-HS512": 512,
                        "A128GCM": 128, "A192GCM": 192, "A256GCM": 256}[enc])
    if alg.startswith("PBES2"):
        return ("oct", 192)
    return ("oct", int(alg[1:4]))


def sig_key_kind(alg: str):
    if alg.startswith("HS"):
        return ("oct", {"HS256": 256, "HS384": 384, "HS512": 512}[alg])
    if alg[:2] in ("RS", "PS"):
        return ("RSA", 2048)
    if alg.startswith("ES"):
        return ("EC", {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}[alg])
    return ("OKP", "Ed25519")


def protected_of(jws_value):
    """The protected header, for the driver's own use (key selection, b64); {} when it is not
    a JSON object, so that the library, not the driver, decides about a malformed header."""
    try:
        if isinstance(jws_value, str):
            head = json.loads(b64d(jws_value.split(".")[0]))
        else:
            first = jws_value["signatures"][0] if jws_value.get("signatures") else jws_value
            head = json.loads(b64d(first["protected"])) if first.get("protected") else {}
    except (ValueError, KeyError, IndexError, TypeError):
        return {}
    return head if isinstance(head, dict) else {}


def candidates(t):
    """The JWS of a verify task as the library will see it: a compact string, or flattened
    objects, one per signature. A detached payload is put back in (as base64url, or as is for
    b64 false; a detached compact JWS becomes a flattened object, since a raw payload may
    contain '.'). A general JWS becomes one flattened object per signature: the vectors'
    rule is that one verifying signature suffices, and some libraries require all."""
    jws_value = t["jws"]
    detached = b64d(t["payload_b64"]) if t.get("detached") else None
    if isinstance(jws_value, str) and t.get("serialization", "compact") != "compact":
        # A JSON serialization given as exact text (duplicate members survive): parsed the
        # way an application would, with the standard parser.
        jws_value = json.loads(jws_value)
    if isinstance(jws_value, str):
        if detached is None:
            return [jws_value]
        head, _, sig = jws_value.split(".")
        jws_value = {"protected": head, "signature": sig}
    header0 = protected_of(jws_value)
    if detached is not None:
        jws_value = dict(jws_value)
        jws_value["payload"] = detached.decode() if header0.get("b64") is False else b64e(detached)
    if t.get("serialization") == "general":
        return [{"payload": jws_value["payload"], **s} for s in jws_value["signatures"]]
    return [jws_value]


def jwe_candidates(jwe_value):
    """A JSON JWE as flattened objects, one per recipient."""
    if "recipients" not in jwe_value:
        return [jwe_value]
    shared = {k: v for k, v in jwe_value.items() if k != "recipients"}
    return [{**shared, **r} for r in jwe_value["recipients"]]


def header_of(candidate):
    if isinstance(candidate, str):
        return protected_of(candidate)
    return {**candidate.get("header", {}), **protected_of(candidate)}


def verify_any(t, verify_one):
    """Verifies the candidates of `t` with `verify_one(candidate, public_jwk)`; returns the
    payload of the first that verifies, or raises the library's first error (the driver's
    own "no key" only when the library was never asked)."""
    library_error = None
    no_key = None
    for candidate in candidates(t):
        try:
            key = pick(t["key"], header_of(candidate))
        except Unsupported as e:
            no_key = no_key or e
            continue
        try:
            payload = verify_one(candidate, key)
            # An unencoded (b64 false) JSON payload may come back as text.
            if isinstance(payload, str):
                payload = payload.encode()
            return {"payload_b64": b64e(payload)}
        except Exception as e:  # try the next signature
            library_error = library_error or e
    raise library_error or no_key or ValueError("no signature")


class Jwcrypto:
    def __init__(self):
        from jwcrypto import jwe, jwk, jws
        self.jwe, self.jwk, self.jws = jwe, jwk, jws
        self.name = f"jwcrypto {metadata.version('jwcrypto')}"

    def key(self, jwk: dict):
        return self.jwk.JWK(**jwk)

    def verify(self, t):
        def one(candidate, key):
            obj = self.jws.JWS()
            obj.allowed_algs = t["algorithms"]
            obj.deserialize(candidate if isinstance(candidate, str) else json.dumps(candidate))
            obj.verify(self.key(key))
            return obj.payload
        return verify_any(t, one)

    def sign(self, t, key=None):
        require(JWS_ALGS, t["alg"])
        key = key or self.key(t["key"])
        obj = self.jws.JWS(b64d(t["payload_b64"]))
        obj.allowed_algs = [t["alg"]]
        obj.add_signature(key, alg=t["alg"], protected=json.dumps({"alg": t["alg"]}))
        return {"jws": obj.serialize(compact=True)}

    def generate_and_sign(self, t):
        require(JWS_ALGS, t["alg"])
        kty, param = sig_key_kind(t["alg"])
        key = self.generate(kty, param)
        out = self.sign(t, key)
        out["key"] = json.loads(key.export(private_key=(kty == "oct")))
        return out

    def generate(self, kty, param):
        if kty == "oct":
            return self.jwk.JWK.generate(kty="oct", size=param)
        if kty == "RSA":
            return self.jwk.JWK.generate(kty="RSA", size=param)
        return self.jwk.JWK.generate(kty=kty, crv=param)

    def encrypt(self, t):
        require(JWE_ALGS, t["alg"])
        require(JWE_ENCS, t["enc"])
        protected = {"alg": t["alg"], "enc": t["enc"]}
        if t["alg"].startswith("PBES2"):
            protected["p2c"] = t.get("p2c", 10000)
        obj = self.jwe.JWE(b64d(t["plaintext_b64"]), protected=json.dumps(protected))
        obj.allowed_algs = [t["alg"], t["enc"]]
        obj.add_recipient(self.key(public_part(t["key"])))
        return {"jwe": obj.serialize(compact=True)}

    def decrypt(self, t):
        require(JWE_ALGS, t["alg"])
        require(JWE_ENCS, t["enc"])
        obj = self.jwe.JWE()
        obj.allowed_algs = (t.get("algorithms") or [t["alg"]]) + (t.get("encryptions") or [t["enc"]])
        token = t["jwe"] if isinstance(t["jwe"], str) else json.dumps(t["jwe"])
        obj.deserialize(token, key=self.key(t["key"]))
        return {"plaintext_b64": b64e(obj.plaintext)}

    def generate_decryption_key(self, t):
        require(JWE_ALGS, t["alg"])
        require(JWE_ENCS, t["enc"])
        kty, param = enc_key_kind(t["alg"], t["enc"])
        key = self.generate(kty, param)
        private = json.loads(key.export(private_key=True))
        return {"key": public_part(private), "private": private}

    def jwk_import(self, t):
        if t.get("set"):
            self.jwk.JWKSet.from_json(t["jwk_json"])
        else:
            self.jwk.JWK.from_json(t["jwk_json"])
        return {}

    def jwt_verify(self, t):
        raise Unsupported("jwcrypto checks exp and nbf against the system clock only; the vectors fix the current time")

    def dpop_verify(self, t):
        raise Unsupported("jwcrypto has no DPoP proof verification")

    def thumbprint(self, t):
        from cryptography.hazmat.primitives import hashes
        alg = {"sha-256": hashes.SHA256(), "sha-384": hashes.SHA384(), "sha-512": hashes.SHA512()}[t["hash"]]
        key = self.key(public_part(t["jwk"]))
        result = {"thumbprint_b64": key.thumbprint(alg)}
        if hasattr(key, "thumbprint_uri"):
            result["uri"] = key.thumbprint_uri(t["hash"])
        return result


class Joserfc:
    def __init__(self):
        from joserfc import jwe, jwk, jws
        self.jwe, self.jwk, self.jws = jwe, jwk, jws
        self.name = f"joserfc {metadata.version('joserfc')}"

    def key(self, jwk: dict):
        return self.jwk.import_key(jwk)

    def verify(self, t):
        def one(candidate, key):
            if isinstance(candidate, str):
                return self.jws.deserialize_compact(candidate, self.key(key), algorithms=t["algorithms"]).payload
            return self.jws.deserialize_json(candidate, self.key(key), algorithms=t["algorithms"]).payload
        return verify_any(t, one)

    def sign(self, t, key=None):
        require(JWS_ALGS, t["alg"])
        key = key or self.key(t["key"])
        token = self.jws.serialize_compact({"alg": t["alg"]}, b64d(t["payload_b64"]), key, algorithms=[t["alg"]])
        return {"jws": token}

    def generate(self, kty, param):
        return self.jwk.generate_key(kty, param)

    def generate_and_sign(self, t):
        require(JWS_ALGS, t["alg"])
        kty, param = sig_key_kind(t["alg"])
        key = self.generate(kty, param)
        out = self.sign(t, key)
        out["key"] = key.as_dict(private=(kty == "oct"))
        return out

    def encrypt(self, t):
        require(JWE_ALGS, t["alg"])
        require(JWE_ENCS, t["enc"])
        protected = {"alg": t["alg"], "enc": t["enc"]}
        if t["alg"].startswith("PBES2"):
            protected["p2c"] = t.get("p2c", 10000)
        token = self.jwe.encrypt_compact(protected, b64d(t["plaintext_b64"]), self.key(public_part(t["key"])), algorithms=[t["alg"], t["enc"]])
        return {"jwe": token}

    def decrypt(self, t):
        require(JWE_ALGS, t["alg"])
        require(JWE_ENCS, t["enc"])
        algs = (t.get("algorithms") or [t["alg"]]) + (t.get("encryptions") or [t["enc"]])
        # joserfc treats zip as an algorithm to allow.
        if isinstance(t["jwe"], str):
            if json.loads(b64d(t["jwe"].split(".")[0])).get("zip"):
                algs.append("DEF")
            obj = self.jwe.decrypt_compact(t["jwe"], self.key(t["key"]), algorithms=algs)
            return {"plaintext_b64": b64e(obj.plaintext)}
        # A general JWE becomes one flattened JWE per recipient (joserfc wants every
        # recipient's algorithm allowed; one recipient the key fits is enough).
        first_error = None
        for candidate in jwe_candidates(t["jwe"]):
            try:
                head = json.loads(b64d(candidate["protected"])) if candidate.get("protected") else {}
                allowed = algs + (["DEF"] if head.get("zip") else [])
                obj = self.jwe.decrypt_json(candidate, self.key(t["key"]), algorithms=allowed)
                return {"plaintext_b64": b64e(obj.plaintext)}
            except Exception as e:  # try the next recipient
                first_error = first_error or e
        raise first_error

    def generate_decryption_key(self, t):
        require(JWE_ALGS, t["alg"])
        require(JWE_ENCS, t["enc"])
        kty, param = enc_key_kind(t["alg"], t["enc"])
        key = self.generate(kty, param)
        private = key.as_dict(private=True)
        return {"key": public_part(private), "private": private}

    def jwk_import(self, t):
        value = json.loads(t["jwk_json"])
        if t.get("set"):
            self.jwk.KeySet.import_key_set(value)
        else:
            self.jwk.import_key(value)
        return {}

    def jwt_verify(self, t):
        """decode() verifies the signature and parses the claims; JWTClaimsRegistry checks them
        at the vector's time. joserfc has no typ or maximum-age check: such vectors are n/a."""
        from joserfc import jwt
        v = t["validation"]
        if v.get("typ") is not None:
            raise Unsupported("joserfc's JWT validation has no expected-typ check")
        if v.get("max_age_seconds") is not None:
            raise Unsupported("joserfc's JWT validation has no maximum-age check")
        keys = keys_of(t["key"])
        head = protected_of(t["jwt"])
        key = self.key(pick({"keys": keys}, head))
        token = jwt.decode(t["jwt"], key, algorithms=v["algorithms"])
        options = {name: {"essential": True} for name in v.get("required_claims", [])}
        for claim, member in (("iss", "issuer"), ("aud", "audience"), ("sub", "subject")):
            if v.get(member) is not None:
                options[claim] = {"essential": True, "value": v[member]}
        registry = jwt.JWTClaimsRegistry(now=v["now"], leeway=v["leeway_seconds"], **options)
        registry.validate(token.claims)
        return {"claims": token.claims}

    def dpop_verify(self, t):
        raise Unsupported("joserfc has no DPoP proof verification")

    def thumbprint(self, t):
        key = self.key(public_part(t["jwk"]))
        # The key object hashes the required members only (jwk.thumbprint(dict) hashes the
        # dict as given); its digest is a per-key setting.
        key.thumbprint_digest_method = {"sha-256": "sha256", "sha-384": "sha384", "sha-512": "sha512"}[t["hash"]]
        return {"thumbprint_b64": key.thumbprint(), "uri": key.thumbprint_uri()}


def schema(t):
    import jsonschema
    with open(t["schema"], encoding="utf-8") as f:
        validator = jsonschema.Draft202012Validator(json.load(f))
    errors = []
    for path in t["files"]:
        with open(path, encoding="utf-8") as f:
            document = json.load(f)
        for e in validator.iter_errors(document):
            errors.append(f"{os.path.basename(path)} {'/'.join(map(str, e.absolute_path))}: {e.message[:200]}")
    if errors:
        raise ValueError("; ".join(errors[:20]))
    return {"files": len(t["files"])}


def main():
    lib = Jwcrypto() if sys.argv[1:] == ["jwcrypto"] else Joserfc()
    ops = {
        "verify": lib.verify,
        "sign": lib.sign,
        "generate-and-sign": lib.generate_and_sign,
        "encrypt": lib.encrypt,
        "decrypt": lib.decrypt,
        "generate-decryption-key": lib.generate_decryption_key,
        "thumbprint": lib.thumbprint,
        "jwk-import": lib.jwk_import,
        "jwt-verify": lib.jwt_verify,
        "dpop-verify": lib.dpop_verify,
        "schema": schema,
    }
    request = json.load(sys.stdin)
    results = []
    for task in request["tasks"]:
        try:
            op = ops.get(task["op"])
            if op is None:
                raise Unsupported(f"operation {task['op']}")
            results.append({"id": task["id"], "ok": True, **op(task)})
        except Unsupported as e:
            results.append({"id": task["id"], "ok": False, "unsupported": True, "error": str(e)})
        except Exception as e:  # a refusal by the library is an answer, not a crash
            results.append({"id": task["id"], "ok": False, "unsupported": False,
                            "error": f"{type(e).__name__}: {e}"[:300]})
    json.dump({"peer": lib.name, "results": results}, sys.stdout)


if __name__ == "__main__":
    main()
