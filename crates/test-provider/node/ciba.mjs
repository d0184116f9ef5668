// The CIBA part of the test provider (issue 6): the CIBA hooks of oidc-provider, three static
// CIBA clients, a control route that approves or denies a request, rules keyed on the login
// hint, and the delivery of ping notifications to a loopback listener of the test.
//
// provider.mjs calls `cibaConfigure` once on its configuration and `cibaInstall` once on the
// provider; everything else lives here.
//
// Login hints: `<account>` or `<account>;<rule>;<rule>...` with the rules
//   approve_after=N   approve after N pending polls were answered (0: right after the ack)
//   deny_after=N      deny after N pending polls were answered (0: right after the ack)
//   slow_down=N       answer `slow_down` instead of the first N `authorization_pending`
//   unavailable=N     answer 503 with `Retry-After: 1` to the first N pending polls
//   interval=S        add `interval: S` to the acknowledgement
// The account `unknown` does not exist (`unknown_user_id`). The user code of every account is
// `1234`.
//
// Control route: POST <issuer>/ciba-control with a JSON body
//   {"auth_req_id": "...", "action": "approve" | "deny", "notify": "http://127.0.0.1:<port>/<path>"}
// completes the request; for the ping client, `notify` is where the ping goes (the registered
// endpoint is https://rp.test/ciba/notify, which only this relay knows how to reach).

import { generateKeyPairSync } from 'node:crypto';
import { errors } from 'oidc-provider';

const CIBA_GRANT = 'urn:openid:params:grant-type:ciba';
const NOTIFY_HOST = 'rp.test';
const USER_CODE = '1234';

function privateJwk(type, options, extra) {
  const { privateKey } = generateKeyPairSync(type, options);
  return { ...privateKey.export({ format: 'jwk' }), ...extra };
}

function publicPart(jwk) {
  const { d, p, q, dp, dq, qi, ...pub } = jwk;
  return pub;
}

// Rules by auth_req_id, and where the ping of each request goes.
const rules = new Map();
const notifyTargets = new Map();

function parseHint(hint) {
  const [account, ...parts] = String(hint).split(';');
  const rule = { account, polls: 0 };
  for (const part of parts) {
    const [name, value] = part.split('=');
    const n = Number.parseInt(value, 10);
    if (!Number.isSafeInteger(n) || n < 0) continue;
    if (name === 'approve_after') rule.approveAfter = n;
    if (name === 'deny_after') rule.denyAfter = n;
    if (name === 'slow_down') rule.slowDown = n;
    if (name === 'unavailable') rule.unavailable = n;
    if (name === 'interval') rule.interval = n;
  }
  return rule;
}

async function complete(provider, id, action) {
  const request = await provider.BackchannelAuthenticationRequest.find(id, { ignoreExpiration: true });
  if (!request) throw new Error('unknown auth_req_id');
  if (action === 'deny') {
    return provider.backchannelResult(request, new errors.AccessDenied('the test user refused'));
  }
  const grant = new provider.Grant({ accountId: request.accountId, clientId: request.clientId });
  grant.addOIDCScope(request.scope);
  await grant.save();
  return provider.backchannelResult(request, grant, {
    authTime: Math.floor(Date.now() / 1000),
    amr: ['pwd'],
  });
}

// Applies the rule of a request after a pending poll (or, with `polls` 0, after the ack).
async function applyRule(provider, id, rule) {
  if (rule.done) return;
  if (rule.approveAfter !== undefined && rule.polls >= rule.approveAfter) {
    rule.done = true;
    await complete(provider, id, 'approve');
  } else if (rule.denyAfter !== undefined && rule.polls >= rule.denyAfter) {
    rule.done = true;
    await complete(provider, id, 'deny');
  }
}

// The provider's outbound fetch: a ping to the test relay host goes over plain http to the
// loopback listener the control route named; everything else takes the default path (which
// refuses loopback and private addresses).
function cibaFetch(previous) {
  return async (url, options) => {
    const target = new URL(url);
    if (target.hostname !== NOTIFY_HOST) return previous(url, options);
    let id;
    try {
      id = JSON.parse(options.body).auth_req_id;
    } catch {
      throw new Error('not a CIBA ping');
    }
    const loopback = notifyTargets.get(id);
    if (!loopback) throw new Error('no loopback listener registered for this auth_req_id');
    const { dispatcher, ...rest } = options;
    return globalThis.fetch(loopback, rest);
  };
}

const fapiKey = privateJwk('ec', { namedCurve: 'P-256' }, { kid: 'rp-ciba-fapi', alg: 'ES256', use: 'sig' });

function cibaClients(secret) {
  const base = {
    grant_types: [CIBA_GRANT, 'refresh_token'],
    response_types: [],
    redirect_uris: [],
  };
  return [
    {
      // Poll mode; user codes.
      ...base,
      client_id: 'client-ciba-poll',
      client_secret: secret(),
      token_endpoint_auth_method: 'client_secret_basic',
      backchannel_token_delivery_mode: 'poll',
      backchannel_user_code_parameter: true,
    },
    {
      // Ping mode; notifications relayed to the test's loopback listener.
      ...base,
      client_id: 'client-ciba-ping',
      client_secret: secret(),
      token_endpoint_auth_method: 'client_secret_post',
      backchannel_token_delivery_mode: 'ping',
      backchannel_client_notification_endpoint: `https://${NOTIFY_HOST}/ciba/notify`,
    },
    {
      // FAPI-style: private_key_jwt and ES256-signed requests, poll mode.
      ...base,
      client_id: 'client-ciba-fapi',
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      backchannel_token_delivery_mode: 'poll',
      backchannel_authentication_request_signing_alg: 'ES256',
      jwks: { keys: [publicPart(fapiKey)] },
    },
  ];
}

// Adds the CIBA clients, keys, feature and outbound fetch to the provider's configuration.
export function cibaConfigure({ configuration, clients, clientKeys, secret }) {
  clients.push(...cibaClients(secret));
  clientKeys['client-ciba-fapi'] = fapiKey;
  configuration.ttl.BackchannelAuthenticationRequest = (ctx) => {
    const requested = Number(ctx?.oidc?.params?.requested_expiry);
    return Number.isSafeInteger(requested) && requested > 0 ? Math.min(requested, 600) : 600;
  };
  configuration.fetch = cibaFetch(configuration.fetch ?? ((url, options) => globalThis.fetch(url, options)));
  // Signed authentication requests need request objects (the JAR setup may enable them too).
  configuration.features.requestObjects ??= { enabled: true };
  configuration.features.ciba = {
    enabled: true,
    deliveryModes: ['poll', 'ping'],
    async processLoginHint(ctx, hint) {
      const { account } = parseHint(hint);
      return account === 'unknown' ? undefined : account;
    },
    async processLoginHintToken(ctx, token) {
      const { account } = parseHint(token);
      if (account === 'expired') throw new errors.ExpiredLoginHintToken('the login_hint_token expired');
      return account === 'unknown' ? undefined : account;
    },
    async verifyUserCode(ctx, account, userCode) {
      if (userCode === undefined) {
        if (ctx.oidc.client.backchannelUserCodeParameter) throw new errors.MissingUserCode();
        return;
      }
      if (userCode !== USER_CODE) throw new errors.InvalidUserCode('the user code is wrong');
    },
    async validateBindingMessage(ctx, message) {
      if (message !== undefined && !/^[a-zA-Z0-9-._+/!?#]{1,20}$/.test(message)) {
        throw new errors.InvalidBindingMessage('1 to 20 characters of [a-zA-Z0-9-._+/!?#]');
      }
    },
    async validateRequestContext() {},
    async triggerAuthenticationDevice(ctx, request) {
      const hint = ctx.oidc.params.login_hint ?? ctx.oidc.params.login_hint_token ?? '';
      rules.set(request.jti, parseHint(hint));
    },
  };
}

async function readJson(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16 * 1024) throw new Error('body too large');
  }
  return JSON.parse(body);
}

// The control route and the rules, as provider middleware.
export function cibaInstall(provider) {
  provider.use(async (ctx, next) => {
    if (ctx.path === '/ciba-control') {
      ctx.type = 'application/json';
      try {
        const input = await readJson(ctx.req);
        const id = String(input.auth_req_id ?? '');
        if (input.notify !== undefined) {
          const target = new URL(input.notify);
          if (target.protocol !== 'http:' || target.hostname !== '127.0.0.1') {
            throw new Error('notify must be an http://127.0.0.1 URL');
          }
          notifyTargets.set(id, target.href);
        }
        const rule = rules.get(id);
        if (rule) rule.done = true;
        await complete(provider, id, input.action === 'deny' ? 'deny' : 'approve');
        ctx.status = 200;
        ctx.body = { done: true };
      } catch (err) {
        ctx.status = 400;
        ctx.body = { error: 'control_failed', error_description: String(err.message ?? err) };
      }
      return;
    }
    await next();
    const route = ctx.oidc?.route;
    if (route === 'backchannel_authentication' && ctx.status === 200 && ctx.body?.auth_req_id) {
      const rule = rules.get(ctx.body.auth_req_id);
      if (rule?.interval) ctx.body.interval = rule.interval;
      if (rule) await applyRule(provider, ctx.body.auth_req_id, rule);
    }
    if (route === 'token' && ctx.oidc.params?.grant_type === CIBA_GRANT
      && ctx.body?.error === 'authorization_pending') {
      const id = ctx.oidc.params.auth_req_id;
      const rule = rules.get(id);
      if (!rule) return;
      rule.polls += 1;
      if (rule.unavailable > 0) {
        rule.unavailable -= 1;
        ctx.status = 503;
        ctx.set('retry-after', '1');
        ctx.body = { error: 'temporarily_unavailable' };
      } else if (rule.slowDown > 0) {
        rule.slowDown -= 1;
        ctx.body = { error: 'slow_down', error_description: 'the test rule asks to slow down' };
      }
      await applyRule(provider, id, rule);
    }
  });
}
