"""The project's words as types: one Literal per idea, so that mypy checks every use (stdlib only: the
plugin imports it at start-up).

- A registry's **kind** is what it holds, Palette's `providerType`: helm | zarf | pack. Everything else
  about a kind (the resource type that manages it, how messages name it) is in `provider.kinds`.
- A registry's **auth** is how Palette reaches it, the `auth_type` attribute: basic | ecr | none. Palette
  may also hold a registry with token authentication: the provider reads it (`ReadAuth`), never writes it.
- A registry's **family** is which of Palette's two APIs holds it, `/v1/registries/oci/{uid}/basic` or
  `/v1/registries/oci/{uid}/ecr`: basic | ecr. Auths `basic` and `none` both live in the `basic` family
  (`family_of`).

Palette's own spellings ("Helm", "ECR", "noAuth") become these words where its answers enter
(`provider.palette.models`); a word Palette sends that is none of these is kept as Palette sent it, for
messages to quote.
"""

from __future__ import annotations

from typing import Literal, TypeGuard, get_args

Kind = Literal["helm", "zarf", "pack"]
Auth = Literal["basic", "ecr", "none"]
ReadAuth = Literal["basic", "ecr", "none", "token"]  # an auth as read from Palette: token is not managed
Family = Literal["basic", "ecr"]

KIND_NAMES: tuple[Kind, ...] = get_args(Kind)
AUTHS: tuple[Auth, ...] = get_args(Auth)
READ_AUTHS: tuple[ReadAuth, ...] = get_args(ReadAuth)
FAMILIES: tuple[Family, ...] = get_args(Family)


def is_kind(word: object) -> TypeGuard[Kind]:
    return word in KIND_NAMES


def is_auth(word: object) -> TypeGuard[Auth]:
    return word in AUTHS


def is_family(word: object) -> TypeGuard[Family]:
    return word in FAMILIES


def family_of(auth: ReadAuth) -> Family:
    """The family that holds a registry of `auth`: ECR's own API for `ecr`, the basic one otherwise
    (token authentication is a basic registry's)."""
    return "ecr" if auth == "ecr" else "basic"


# How a word Palette spelled its own way becomes one of ours: the validators of provider.palette.models use
# it as answers enter, and so does reading another provider's state, which holds Palette's words as they came.
def spellings_of(*words: str, **aliases: str) -> dict[str, str]:
    """Each word by its case-folded spelling (and each alias's, the word it stands for)."""
    return {**{word.casefold(): word for word in words}, **{alias.casefold(): word for alias, word in aliases.items()}}


def normalised(value: object, spellings: dict[str, str]) -> object:
    """`value` in its one spelling when it is a word of `spellings` (any case, surrounding spaces); anything
    else (a word this client does not know, None, a non-string) as it came."""
    if isinstance(value, str):
        return spellings.get(value.strip().casefold(), value)
    return value
