"""Single sign-on (OIDC) against a fake provider on 127.0.0.1: the provider proves who
someone is, the local account decides whether they get in and with which role."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from gateway.config.settings import ConfigError, load
from tests.gateway.web.console import Console, email_for, running_console
from tests.gateway.web.fake_oidc import CLIENT_ID, CLIENT_SECRET, FakeProvider

DSL = email_for("dsl")


@pytest.fixture
def provider() -> Iterator[FakeProvider]:
    fake = FakeProvider().start()
    try:
        yield fake
    finally:
        fake.close()


@pytest.fixture
def sso(
    tmp_path: Path, provider: FakeProvider, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Console]:
    monkeypatch.setenv("SCHOOLGATE_TEST_OIDC_SECRET", CLIENT_SECRET)
    settings = {
        "web.oidc.issuer": provider.issuer,
        "web.oidc.client_id": CLIENT_ID,
        "web.oidc.client_secret_env": "SCHOOLGATE_TEST_OIDC_SECRET",
        "web.oidc.label": "Sign in with Test Provider",
        "web.oidc.hosted_domain": "school.example",
    }
    with running_console(tmp_path, **settings) as console:
        console.add_user(DSL, "dsl")
        yield console


GOOD = {"email": DSL, "email_verified": True, "hd": "school.example"}

CASES = [
    # (claims in the ID token, signed in?)
    (GOOD, True),  # a verified address with a console account
    ({**GOOD, "email": "DSL@School.Example"}, True),  # addresses match whatever their case
    ({**GOOD, "email": "head@school.example"}, False),  # no console account: no entry
    ({**GOOD, "email_verified": False}, False),  # the provider has not verified the address
    ({**GOOD, "hd": "other.example"}, False),  # a Google account outside the school's domain
    ({**GOOD, "aud": "another-app"}, False),  # an ID token issued to a different app
    ({**GOOD, "iss": "http://127.0.0.1:9/"}, False),  # from a different issuer
    ({**GOOD, "exp": 1_000_000_000}, False),  # expired long ago
    ({k: v for k, v in GOOD.items() if k != "email"}, False),  # no email claim at all
]


@pytest.mark.parametrize(("claims", "signed_in"), CASES, ids=[str(i) for i in range(len(CASES))])
def test_sign_in_with_the_provider(
    sso: Console, provider: FakeProvider, claims: dict[str, Any], signed_in: bool
):
    provider.claims = claims
    with sso.client() as client:
        page = client.get("/signin")
        assert "Sign in with Test Provider" in page.text
        response = client.get("/signin/oidc", params={"next": "/incidents"}, follow_redirects=True)
        if signed_in:
            assert response.status_code == 200
            assert str(response.url).endswith("/incidents")
            assert f"{DSL} · Designated Safeguarding Lead" in response.text
        else:
            assert response.status_code in (400, 403)
            assert client.get("/incidents").status_code == 303
    actions = [(a.action, a.detail) for a in sso.audit()]
    assert (("sign-in", "oidc") in actions) == signed_in
    assert provider.token_requests == 1


def test_a_callback_with_a_forged_state_is_refused(sso: Console, provider: FakeProvider):
    provider.claims = GOOD
    with sso.client() as client:
        start = client.get("/signin/oidc")
        assert start.status_code == 302 and start.headers["location"].startswith(provider.issuer)
        forged = client.get("/signin/oidc/callback", params={"code": "abc", "state": "forged"})
    assert forged.status_code == 400
    assert "sg_session" not in forged.headers.get("set-cookie", "")
    assert provider.token_requests == 0


def test_without_oidc_settings_there_is_no_button_and_no_route(console: Console):
    with console.client() as client:
        assert "/signin/oidc" not in client.get("/signin").text
        assert client.get("/signin/oidc").status_code == 404


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"issuer": "https://login.example/t/v2.0"}, "set client_id"),  # half configured
        ({"issuer": "http://login.example", "client_id": "x"}, "https://"),  # not TLS
        ({"issuer": "login.example", "client_id": "x"}, "https://"),  # not a URL
    ],
)
def test_oidc_settings_are_checked(settings: dict[str, str], problem: str):
    with pytest.raises(ConfigError, match=problem):
        load(None, {f"web.oidc.{k}": v for k, v in settings.items()})
