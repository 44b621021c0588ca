"""Each preset's endpoints and profile mapping, against the local OP serving that provider's
response shapes (the preset pointed at it by URL override)."""

from __future__ import annotations

import re
from typing import Any

import pytest
import requests
from joserfc import jwt
from joserfc.jwk import ECKey

from authmw.providers import presets
from tests.providers import idp

#: the local OP is plain http on 127.0.0.1: development mode (P-F2)
CREDS: dict[str, Any] = {
    "client_id": idp.CLIENT_ID,
    "client_secret": idp.CLIENT_SECRET,
    "allow_loopback_http": True,
}
GITHUB_PATHS = {"/login/oauth/authorize": "/authorize", "/login/oauth/access_token": "/token"}


def run(app: Any, provider_id: str) -> dict[str, Any]:
    response = idp.sign_in(app, provider_id)
    assert response.status_int == 302 and idp.error_of(response) is None, response
    token: dict[str, Any] = app.get("/").json["token"]
    return token


OIDC_PRESETS = [
    ("google", lambda op: presets.Google(issuer=op.issuer, **CREDS), {}),
    ("gitlab", lambda op: presets.GitLab(issuer=op.issuer, **CREDS), {"nickname": "ada"}),
    (
        "microsoft-entra-id",
        lambda op: presets.MicrosoftEntraID(issuer=op.issuer, **CREDS),
        {"tid": "tenant", "oid": "o-1"},
    ),
    ("auth0", lambda op: presets.Auth0(issuer=op.issuer, **CREDS), {}),
    ("okta", lambda op: presets.Okta(issuer=op.issuer, **CREDS), {}),
    ("keycloak", lambda op: presets.Keycloak(issuer=op.issuer, **CREDS), {}),
    ("cognito", lambda op: presets.Cognito(issuer=op.issuer, **CREDS), {"cognito:username": "a"}),
    ("slack", lambda op: presets.Slack(issuer=op.issuer, **CREDS), {}),
    ("linkedin", lambda op: presets.LinkedIn(issuer=op.issuer, **CREDS), {}),
    ("oidc", lambda op: presets.OIDC(issuer=op.issuer, **CREDS), {}),
]


@pytest.mark.parametrize(
    ("pid", "factory", "extra"), OIDC_PRESETS, ids=[p[0] for p in OIDC_PRESETS]
)
def test_oidc_presets(op: Any, pid: str, factory: Any, extra: dict[str, Any]) -> None:
    op.claims.update(extra)
    provider = factory(op)
    assert provider.id == pid and provider.type == "oidc"
    app = idp.make_app([provider])
    location = idp.start(app, pid).headers["Location"]
    assert "openid" in idp.split(location)[1]["scope"].split()
    token = run(app, pid)
    assert token["email"] == "ada@example.com" and token["sub"] == "user-123"
    assert token["picture"] == "https://img.example/ada.png"


@pytest.mark.parametrize(
    ("pid", "factory", "extra"), OIDC_PRESETS, ids=[p[0] for p in OIDC_PRESETS]
)
def test_A_PS3_presets_validate_aud_and_iss(
    op: Any, pid: str, factory: Any, extra: dict[str, Any]
) -> None:
    app = idp.make_app([factory(op)])
    op.id_token_claims = {"aud": "other-client"}
    assert idp.error_of(idp.sign_in(app, pid)) == "OAuthCallback"
    op.id_token_claims = {"iss": "https://evil.example"}
    assert idp.error_of(idp.sign_in(app, pid)) == "OAuthCallback"


def test_slack_profile_uses_slack_user_id(op: Any) -> None:
    op.claims["https://slack.com/user_id"] = "U123"
    token = run(idp.make_app([presets.Slack(issuer=op.issuer, **CREDS)]), "slack")
    assert token["sub"] == "U123"


def test_microsoft_entra_id_needs_a_tenant() -> None:
    from authmw import ConfigurationError

    with pytest.raises(ConfigurationError):
        presets.MicrosoftEntraID(tenant="common", **CREDS)
    entra = presets.MicrosoftEntraID(tenant="abc", **CREDS)
    assert entra.issuer_url == "https://login.microsoftonline.com/abc/v2.0"


def test_github_with_private_email(op: Any) -> None:
    op.api["/gh/user"] = {"id": 583231, "login": "octocat", "name": None, "email": None,
                          "avatar_url": "https://avatars.example/u/583231"}  # fmt: skip
    op.api["/gh/user/emails"] = [
        {"email": "old@example.com", "primary": False, "verified": True},
        {"email": "octo@example.com", "primary": True, "verified": True},
    ]
    provider = presets.GitHub(base_url=op.base, api_url=op.base + "/gh", **CREDS)
    app = idp.make_app([provider])
    location = idp.start(app, "github").headers["Location"]
    assert idp.split(location)[0] == "/login/oauth/authorize"
    op.aliases.update(GITHUB_PATHS)
    token = run(app, "github")
    assert token["sub"] == "583231" and token["name"] == "octocat"
    assert token["email"] == "octo@example.com"
    assert token["picture"] == "https://avatars.example/u/583231"


def test_github_error_in_200_token_response(op: Any) -> None:
    provider = presets.GitHub(base_url=op.base, api_url=op.base + "/gh", **CREDS)
    app = idp.make_app([provider])
    op.token_body = b'{"error":"bad_verification_code"}'
    op.aliases.update(GITHUB_PATHS)
    response = idp.sign_in(app, "github")
    assert idp.error_of(response) == "OAuthCallback"


def test_discord(op: Any) -> None:
    op.api["/api/users/@me"] = {
        "id": "80351110224678912",
        "username": "nelly",
        "global_name": "Nelly",
        "avatar": "8342729096ea3675442027381ff50dfe",
        "email": "nelly@example.com",
    }
    provider = presets.Discord(
        authorization=f"{op.base}/authorize", token=f"{op.base}/token",
        userinfo=f"{op.base}/api/users/@me", **CREDS,
    )  # fmt: skip
    token = run(idp.make_app([provider]), "discord")
    assert token["sub"] == "80351110224678912" and token["name"] == "Nelly"
    assert token["picture"] == (
        "https://cdn.discordapp.com/avatars/80351110224678912/8342729096ea3675442027381ff50dfe.png"
    )


def test_facebook(op: Any) -> None:
    op.api["/me"] = {"id": "10", "name": "Mark", "email": "mark@example.com",
                     "picture": {"data": {"url": "https://fb.example/p.jpg"}}}  # fmt: skip
    provider = presets.Facebook(
        authorization=f"{op.base}/authorize", token=f"{op.base}/token",
        userinfo={"url": f"{op.base}/me", "params": {"fields": "id,name,email,picture"}}, **CREDS,
    )  # fmt: skip
    token = run(idp.make_app([provider]), "facebook")
    assert token["sub"] == "10" and token["picture"] == "https://fb.example/p.jpg"
    ((_, _, query, form),) = op.requests_to("/me")
    assert query == {"fields": "id,name,email,picture"} and "access_token" not in query
    ((_, _, _, form),) = op.requests_to("/token")
    assert form["client_secret"] == idp.CLIENT_SECRET  # client_secret_post


def test_twitter_oauth2(op: Any) -> None:
    op.api["/2/users/me"] = {"data": {"id": "2244994945", "name": "X Dev", "username": "xdev",
                             "profile_image_url": "https://pbs.example/x.jpg"}}  # fmt: skip
    provider = presets.Twitter(
        authorization=f"{op.base}/authorize", token=f"{op.base}/token",
        userinfo={"url": f"{op.base}/2/users/me", "params": {"user.fields": "profile_image_url"}},
        **CREDS,
    )  # fmt: skip
    app = idp.make_app([provider])
    query = idp.split(idp.start(app, "twitter").headers["Location"])[1]
    assert query["code_challenge_method"] == "S256"
    assert query["scope"] == "users.read tweet.read offline.access"
    token = run(app, "twitter")
    assert token["sub"] == "2244994945" and token["email"] is None


def test_apple_form_post_and_client_secret_jwt(op: Any) -> None:
    key = ECKey.generate_key("P-256")
    seen: list[str] = []

    def check(secret: str) -> bool:
        seen.append(secret)
        claims = jwt.decode(secret, key, algorithms=["ES256"]).claims
        return claims["sub"] == "com.example.web" and claims["iss"] == "TEAM123456"

    op.secret_check = check
    op.claims = {"email": "private@privaterelay.appleid.com", "email_verified": "true"}
    provider = presets.Apple(
        issuer=op.issuer, client_id="com.example.web", team_id="TEAM123456", key_id="KEY1",
        private_key=key.as_pem(private=True).decode(), allow_loopback_http=True,
    )  # fmt: skip
    app = idp.make_app([provider])
    location = idp.start(app, "apple").headers["Location"]
    query = idp.split(location)[1]
    assert query["response_mode"] == "form_post" and query["scope"] == "openid name email"
    page = requests.get(location, timeout=5).text
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', page))
    fields["user"] = '{"name":{"firstName":"Tim","lastName":"Apple"}}'
    response = app.post("/api/auth/callback/apple", fields)
    assert idp.error_of(response) is None, response
    token = app.get("/").json["token"]
    assert token["name"] == "Tim Apple" and token["email"] == "private@privaterelay.appleid.com"
    assert seen and jwt.decode(seen[0], key).header["kid"] == "KEY1"


# -- from the environment ----------------------------------------------------------------


def test_from_environment_generic_oidc() -> None:
    env = {
        "AUTHMW_OIDC_ISSUER": "https://idp.example",
        "AUTHMW_OIDC_ID": "client",
        "AUTHMW_OIDC_SECRET": "secret",
        "AUTHMW_GITHUB_ID": "gh",
        "AUTHMW_GITHUB_SECRET": "ghs",
        "AUTHMW_GOOGLE_ID": "only-id",
    }
    providers = {p.id: p for p in presets.from_environment(env)}
    assert set(providers) == {"oidc", "github"}
    oidc = providers["oidc"]
    assert oidc.issuer_url == "https://idp.example"  # type: ignore[attr-defined]
    assert oidc.scope == "openid email profile"  # type: ignore[attr-defined]
    assert oidc.checks == {"pkce", "state", "nonce"}  # type: ignore[attr-defined]
    assert oidc.auth_method == "client_secret_basic"  # type: ignore[attr-defined]


def test_from_environment_redirect_uri(op: Any) -> None:
    env = {"AUTHMW_OIDC_ISSUER": op.issuer, "AUTHMW_OIDC_ID": "c", "AUTHMW_OIDC_SECRET": "s",
           "AUTHMW_OIDC_ALLOW_LOOPBACK_HTTP": "1"}  # fmt: skip
    app = idp.make_app(presets.from_environment(env))
    location = idp.start(app, "oidc").headers["Location"]
    assert idp.split(location)[1]["redirect_uri"] == "http://localhost/api/auth/callback/oidc"


def test_from_environment_requires_issuer() -> None:
    from authmw import ConfigurationError

    with pytest.raises(ConfigurationError):
        presets.from_environment({"AUTHMW_KEYCLOAK_ID": "a", "AUTHMW_KEYCLOAK_SECRET": "b"})
