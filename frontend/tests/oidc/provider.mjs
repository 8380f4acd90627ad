// A real OpenID Provider for the tests (the npm `oidc-provider`, certified by the OpenID
// Foundation): discovery, JWKS, authorization code + PKCE, signed ID tokens, nonce, userinfo,
// all the provider's own code. Only the login screen is ours: it signs in whoever is named, so
// tests can pick an account without a password.
//
//   OIDC_PORT=0 OIDC_CLIENT_ID=portal OIDC_CLIENT_SECRET=… \
//   OIDC_REDIRECT_URIS=http://localhost:8080/api/v1/auth/oidc/test/callback node provider.mjs
//
// prints `issuer http://127.0.0.1:PORT` on stdout once it listens.
//
// An account is named by its login hint (the `login_hint` parameter, or the form's field):
// either a plain email address (subject = the address, email verified, amr ["pwd"]) or
// `key=value` pairs separated by `;`: `sub`, `email`, `verified` (1/0), `amr` (comma list).
// Example: `sub=u-17;email=ann@example.test;verified=1;amr=pwd,mfa`.
import http from 'node:http';
import Provider from 'oidc-provider';

const env = (name, fallback) => process.env[name] ?? fallback;

function account(hint) {
  const a = { sub: hint, email: hint, verified: true, amr: ['pwd'] };
  if (hint.includes('=')) {
    for (const part of hint.split(';')) {
      const [k, v = ''] = part.split('=');
      if (k === 'sub') a.sub = v;
      if (k === 'email') a.email = v;
      if (k === 'verified') a.verified = v === '1' || v === 'true';
      if (k === 'amr') a.amr = v.split(',').filter(Boolean);
    }
    if (!hint.includes('sub=')) a.sub = a.email;
  }
  return a;
}

// Accounts are made from their hints; remembered (by subject, which the provider makes the
// account id) so the token and userinfo steps find them. Tests that run at once use subjects
// of their own.
const accounts = new Map();

function loginPage(uid, hint) {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Test identity provider</title>
<style>body{font-family:sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}input,button{font-size:1rem;padding:.5rem;width:100%;box-sizing:border-box;margin:.25rem 0}</style></head>
<body><h1>Test identity provider</h1><p>Sign in as (email address):</p>
<form method="post" action="/interaction/${uid}"><label for="login">Email</label>
<input id="login" name="login" autocomplete="username" value="${hint ?? ''}"><button type="submit">Continue</button></form></body></html>`;
}

const port = Number(env('OIDC_PORT', '0'));
const host = env('OIDC_HOST', '127.0.0.1');

const server = http.createServer();
server.listen(port, host, () => {
  const issuer = `http://${host}:${server.address().port}`;
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: env('OIDC_CLIENT_ID', 'portal'),
        client_secret: env('OIDC_CLIENT_SECRET', 'portal-test-secret'),
        redirect_uris: env('OIDC_REDIRECT_URIS', '').split(',').filter(Boolean),
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'client_secret_basic',
      },
    ],
    // PKCE for every client, not only public ones.
    pkce: { required: () => true },
    claims: { openid: ['sub', 'amr', 'auth_time'], email: ['email', 'email_verified'] },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    cookies: { keys: ['test-provider-cookie-key-not-secret'] },
    // First-party: no consent screen; the grant covers what was asked.
    async loadExistingGrant(ctx) {
      const id = ctx.oidc.result?.consent?.grantId || ctx.oidc.session.grantIdFor(ctx.oidc.client.clientId);
      if (id) return ctx.oidc.provider.Grant.find(id);
      const grant = new ctx.oidc.provider.Grant({
        clientId: ctx.oidc.client.clientId,
        accountId: ctx.oidc.session.accountId,
      });
      grant.addOIDCScope(ctx.oidc.params.scope ?? 'openid');
      await grant.save();
      return grant;
    },
    async findAccount(_ctx, id) {
      const a = accounts.get(id);
      if (!a) return undefined;
      return {
        accountId: id,
        async claims() {
          return { sub: a.sub, email: a.email, email_verified: a.verified };
        },
      };
    },
  });
  provider.on('server_error', (_ctx, err) => console.error('provider error', err));

  const finish = async (req, res, hint) => {
    const a = account(hint);
    accounts.set(a.sub, a);
    await provider.interactionFinished(req, res, { login: { accountId: a.sub, amr: a.amr } }, { mergeWithLastSubmission: false });
  };

  const callback = provider.callback();
  server.on('request', async (req, res) => {
    const m = req.url.match(/^\/interaction\/([^/?]+)/);
    if (!m) return callback(req, res);
    try {
      const details = await provider.interactionDetails(req, res);
      if (req.method === 'POST') {
        let body = '';
        for await (const chunk of req) body += chunk;
        const hint = new URLSearchParams(body).get('login') ?? '';
        return await finish(req, res, hint);
      }
      if (details.params.login_hint) return await finish(req, res, String(details.params.login_hint));
      res.setHeader('content-type', 'text/html; charset=utf-8');
      res.end(loginPage(m[1], ''));
    } catch (err) {
      res.statusCode = 400;
      res.end(`interaction failed: ${err.message}`);
    }
  });
  console.log(`issuer ${issuer}`);
});

for (const sig of ['SIGTERM', 'SIGINT']) process.on(sig, () => process.exit(0));
// The parent (a test binary) closes our stdin when it exits: stop then, never outlive it.
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
