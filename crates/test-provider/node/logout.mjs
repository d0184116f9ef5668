// The back-channel logout part of the test provider (issue 17): the feature, a client that
// registered a `backchannel_logout_uri`, the delivery of logout tokens to a loopback listener
// of the test, and a control route that ends a session from the provider's side.
//
// provider.mjs calls `logoutConfigure` once on its configuration and `logoutInstall` once on
// the provider; everything else lives here.
//
// The client `client-backchannel-logout` registered https://rp.test/backchannel-logout (the
// provider's outbound request guard refuses loopback URLs). The outbound fetch below sends a
// logout token for that host to the loopback listener registered for the token's `sid`
// (unverified routing only: the test verifies the token).
//
// Control route: POST <issuer>/logout-control with a JSON body
//   {"action": "deliver", "sid": "...", "notify": "http://127.0.0.1:<port>/<path>"}
//     logout tokens for this `sid` go to `notify`;
//   {"action": "end_session", "sid": "..."}
//     the provider ends the session in which `sid` was issued: it POSTs a logout token to
//     every client of that session with a `backchannel_logout_uri`, then destroys the session
//     (what an administrator's "sign this user out" does). Answers {"notified": [...client ids]}.

const NOTIFY_HOST = 'rp.test';

// Where the logout tokens of each sid go, and the session in which each sid was issued.
const targets = new Map();
const sessionsBySid = new Map();

function sidOf(body) {
  const token = new URLSearchParams(String(body)).get('logout_token') ?? '';
  const payload = token.split('.')[1] ?? '';
  try {
    return JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')).sid;
  } catch {
    return undefined;
  }
}

function logoutFetch(previous) {
  return async (url, options) => {
    const target = new URL(url);
    if (target.hostname !== NOTIFY_HOST || target.pathname !== '/backchannel-logout') {
      return previous(url, options);
    }
    const loopback = targets.get(sidOf(options.body));
    if (!loopback) throw new Error('no loopback listener registered for this sid');
    const { dispatcher, ...rest } = options;
    return globalThis.fetch(loopback, rest);
  };
}

export function logoutConfigure({ configuration, clients, secret, redirectUri, postLogoutRedirectUri }) {
  clients.push({
    client_id: 'client-backchannel-logout',
    client_secret: secret(),
    token_endpoint_auth_method: 'client_secret_basic',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    redirect_uris: [redirectUri],
    post_logout_redirect_uris: [postLogoutRedirectUri],
    id_token_signed_response_alg: 'ES256',
    backchannel_logout_uri: `https://${NOTIFY_HOST}/backchannel-logout`,
    backchannel_logout_session_required: true,
  });
  configuration.features.backchannelLogout = { enabled: true };
  configuration.fetch = logoutFetch(configuration.fetch ?? ((url, options) => globalThis.fetch(url, options)));
}

async function readJson(req) {
  let body = '';
  for await (const chunk of req) {
    body += chunk;
    if (body.length > 16 * 1024) throw new Error('body too large');
  }
  return JSON.parse(body);
}

async function endSession(provider, sid) {
  const uid = sessionsBySid.get(sid);
  const session = uid && await provider.Session.findByUid(uid);
  if (!session) throw new Error('no session for this sid');
  const notified = [];
  for (const clientId of Object.keys(session.authorizations ?? {})) {
    const client = await provider.Client.find(clientId);
    if (client?.backchannelLogoutUri) {
      await client.backchannelLogout(session.accountId, session.sidFor(clientId));
      notified.push(clientId);
    }
  }
  await session.destroy();
  return notified;
}

export function logoutInstall(provider) {
  provider.on('authorization.success', (ctx) => {
    const { session, client } = ctx.oidc;
    const sid = session && client && session.sidFor(client.clientId);
    if (sid) sessionsBySid.set(sid, session.uid);
  });
  provider.use(async (ctx, next) => {
    if (ctx.path !== '/logout-control') return next();
    ctx.type = 'application/json';
    try {
      const input = await readJson(ctx.req);
      const sid = String(input.sid ?? '');
      if (input.action === 'deliver') {
        const target = new URL(input.notify);
        if (target.protocol !== 'http:' || target.hostname !== '127.0.0.1') {
          throw new Error('notify must be an http://127.0.0.1 URL');
        }
        targets.set(sid, target.href);
        ctx.body = { done: true };
      } else if (input.action === 'end_session') {
        ctx.body = { notified: await endSession(provider, sid) };
      } else {
        throw new Error('unknown action');
      }
      ctx.status = 200;
    } catch (err) {
      ctx.status = 400;
      ctx.body = { error: 'control_failed', error_description: String(err.message ?? err) };
    }
  });
}
