// A real OpenID Connect provider standing in for ProConnect in the tests
// (test_proconnect_login.py starts it on loopback): oidc-provider from npm, with its
// development login and consent pages. Configuration comes from the environment:
// PORT, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, and ACCOUNTS (JSON: login → claims).
import Provider from "oidc-provider";

const port = Number(process.env.PORT);
const issuer = `http://127.0.0.1:${port}`;
const accounts = JSON.parse(process.env.ACCOUNTS);

const provider = new Provider(issuer, {
  clients: [
    {
      client_id: process.env.CLIENT_ID,
      client_secret: process.env.CLIENT_SECRET,
      redirect_uris: [process.env.REDIRECT_URI],
      token_endpoint_auth_method: "client_secret_post",
    },
  ],
  // ProConnect's scopes, one per claim.
  claims: {
    openid: ["sub"],
    email: ["email"],
    given_name: ["given_name"],
    usual_name: ["usual_name"],
    siret: ["siret"],
  },
  acrValues: ["eidas1"],
  features: { devInteractions: { enabled: true } },
  pkce: { required: () => false },
  async findAccount(ctx, sub) {
    if (!(sub in accounts)) return undefined;
    return { accountId: sub, claims: async () => ({ sub, ...accounts[sub] }) };
  },
});

provider.listen(port, "127.0.0.1", () => console.log(`listening ${issuer}`));
