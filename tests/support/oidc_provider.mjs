// A real OpenID provider for the tests (tests/support/oidc.py starts and stops it): the
// certified `oidc-provider` from the npm registry, on 127.0.0.1, with one static client that
// must use PKCE, its built-in login and consent forms (any login; the password is not
// checked) and the accounts the tests name. Settings come as JSON in OIDC_TEST_CONFIG:
// {"module", "port", "client_id", "client_secret", "redirect_uris", "accounts": {login: claims}},
// where "module" is the installed package's entry point (the Makefile's npm install).
// Two routes for the tests alone: GET /_test/counts answers how many requests each path
// had (what EST read of the provider), PUT /_test/accounts/<login> sets an account's claims.
import { generateKeyPairSync } from 'node:crypto';
import { pathToFileURL } from 'node:url';

const config = JSON.parse(process.env.OIDC_TEST_CONFIG);
const accounts = { ...(config.accounts || {}) };
const counts = {};
const { Provider } = await import(pathToFileURL(config.module).href);
const issuer = `http://127.0.0.1:${config.port}`;
const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const key = { ...privateKey.export({ format: 'jwk' }), kid: 'test-key', use: 'sig', alg: 'RS256' };

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: config.client_id,
      client_secret: config.client_secret,
      redirect_uris: config.redirect_uris,
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_basic',
    },
  ],
  // PKCE for every client, confidential ones too.
  pkce: { required: () => true },
  jwks: { keys: [key] },
  cookies: { keys: ['est-test-only-cookie-key'] },
  // The scopes' claims in the ID token itself, as Entra ID puts them.
  conformIdTokenClaims: false,
  scopes: ['openid', 'email', 'profile'],
  claims: {
    openid: ['sub', 'groups', 'tid', 'oid'],
    email: ['email', 'email_verified'],
    profile: ['name', 'preferred_username'],
  },
  features: { devInteractions: { enabled: true } },
  async findAccount(ctx, id) {
    const claims = accounts[id] || {};
    return { accountId: id, async claims() { return { sub: id, ...claims }; } };
  },
});
provider.proxy = false;
provider.use(async (ctx, next) => {
  if (ctx.path === '/_test/counts') {
    ctx.body = counts;
    return;
  }
  if (ctx.path.startsWith('/_test/accounts/') && ctx.method === 'PUT') {
    const chunks = [];
    for await (const chunk of ctx.req) chunks.push(chunk);
    accounts[decodeURIComponent(ctx.path.slice('/_test/accounts/'.length))] = JSON.parse(
      Buffer.concat(chunks).toString('utf8'),
    );
    ctx.status = 204;
    return;
  }
  counts[ctx.path] = (counts[ctx.path] || 0) + 1;
  await next();
});
const server = provider.listen(config.port, '127.0.0.1', () => {
  process.stdout.write(`ready ${issuer}\n`);
});
const stop = () => server.close(() => process.exit(0));
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
