"""WWW-Authenticate parsing: the challenges registries send."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from provider.preflight.challenge import Challenge, find, parse


def test_a_bearer_challenge_with_commas_inside_a_quoted_scope():
    header = (
        'Bearer realm="https://auth.example.com/token",service="registry.example.com",scope="repository:a/b:pull,push"'
    )
    assert parse([header]) == [
        Challenge(
            "bearer",
            {
                "realm": "https://auth.example.com/token",
                "service": "registry.example.com",
                "scope": "repository:a/b:pull,push",
            },
        )
    ]


def test_a_basic_challenge():
    assert parse(['Basic realm="palette-test"']) == [Challenge("basic", {"realm": "palette-test"})]


@pytest.mark.parametrize(
    "headers",
    [
        ['Basic realm="x", Bearer realm="https://t/token",service="s"'],
        ['Basic realm="x"', 'Bearer realm="https://t/token", service=s'],
    ],
)
def test_several_challenges_in_one_header_or_several(headers):
    challenges = parse(headers)
    assert [c.scheme for c in challenges] == ["basic", "bearer"]
    bearer = find(challenges, "bearer")
    assert bearer is not None and bearer.realm == "https://t/token" and bearer.params["service"] == "s"


def test_scheme_and_parameter_names_are_case_insensitive_and_escapes_are_undone():
    (challenge,) = parse(['BEARER Realm="a\\"b", Error=insufficient_scope'])
    assert challenge == Challenge("bearer", {"realm": 'a"b', "error": "insufficient_scope"})


def test_no_challenge():
    assert parse([]) == []
    assert parse([""]) == []
    assert find(parse(['Basic realm="x"']), "bearer") is None


@given(st.text(max_size=200))
def test_any_header_parses_without_error(header):
    for challenge in parse([header]):
        assert challenge.scheme == challenge.scheme.lower()


@given(
    realm=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
    scope=st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=40),
)
def test_quoted_values_round_trip(realm, scope):
    def quote(value: str) -> str:
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'

    (challenge,) = parse([f"Bearer realm={quote(realm)},scope={quote(scope)}"])
    assert challenge.params == {"realm": realm, "scope": scope}
