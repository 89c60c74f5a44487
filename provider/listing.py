"""List resources (Terraform 1.14+): `list "oci_registry_helm" "all" { ... }` in a `.tfquery.hcl` file.

`terraform query` lists the registries of one kind that the API key can see, filtered by name prefix
and endpoint; `-generate-config-out` turns each into a resource and an `import` block by identity.
The list is the `oci_registries` data source's (`registries.lookup.registry_rows`), and each object is
what an import of it records (`RegistryResource.imported`): one way from Palette to state.
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING, Any, ClassVar

from tf.schema import Attribute, Schema
from tf.types import String

from provider.kinds import KINDS
from provider.palette.hosts import endpoint_key
from provider.problems import Problem, add_problems
from provider.words import Kind

if TYPE_CHECKING:
    from collections.abc import Iterator

    from tf.utils import Diagnostics

    from provider.palette.errors import PaletteError
    from provider.registries.lookup import Row
    from provider.session import Session
    from provider.tfx.schema import ListContext, Listed

NAME_PREFIX, ENDPOINT = "name_prefix", "endpoint"


# Characters that move the cursor or change the terminal rather than print: C0/C1 controls (ESC starts ANSI
# and OSC sequences), format characters (bidirectional overrides reorder text) and line/paragraph separators.
_UNPRINTED = frozenset({"Cc", "Cf", "Zl", "Zp"})
_SHORT_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def display_name(name: str) -> str:
    """`name` for a terminal: each control or format character written as an escape (`\\x1b`, `\\n`,
    `\\u202e`). Names come from Palette, where anyone with the UI can put an ANSI/OSC sequence or a line
    break in one; printed raw, it could recolour the terminal or forge lines of `terraform query`'s list."""
    import unicodedata

    if name.isprintable():
        return name  # the common case: nothing to escape (isprintable is False for all of _UNPRINTED)
    return "".join(_escape(c) if unicodedata.category(c) in _UNPRINTED else c for c in name)


def _escape(character: str) -> str:
    code = ord(character)
    if character in _SHORT_ESCAPES:
        return _SHORT_ESCAPES[character]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"


def matches(row: Row, config: dict[str, Any]) -> bool:
    """Whether a registry's row passes the list's filters (an unset filter passes everything)."""
    prefix, endpoint = config.get(NAME_PREFIX), config.get(ENDPOINT)
    if prefix and not row.name.startswith(prefix):
        return False
    return not endpoint or endpoint_key(row.endpoint) == endpoint_key(endpoint)


def filter_problems(config: dict[str, Any]) -> list[Problem]:
    """A problem for each filter no registry could pass."""
    from provider.registries.rules import endpoint_problem

    endpoint = config.get(ENDPOINT)
    problem = endpoint_problem(endpoint) if isinstance(endpoint, str) else None
    if problem is None:
        return []
    return [
        Problem(
            (ENDPOINT,),
            "Invalid endpoint filter",
            f'{problem}. Write the endpoint as the registries have it, a host[:port] such as "harbor.example.com" '
            'or an http(s) URL such as "https://harbor.example.com:8443" (a host alone means https), or leave '
            "endpoint out to list registries at every endpoint.",
        )
    ]


class RegistryList:
    """The registries of one kind; subclasses set `kind`."""

    kind: ClassVar[Kind]

    def __init__(self, provider: Session) -> None:
        self.provider = provider

    @classmethod
    def get_name(cls) -> str:
        return KINDS[cls.kind].resource_type.removeprefix("oci_")

    @classmethod
    def get_schema(cls) -> Schema:
        return _schema(KINDS[cls.kind].title)

    def validate(self, diags: Diagnostics, type_name: str, config: dict[str, Any]) -> None:
        add_problems(diags, filter_problems(config))

    def list(self, ctx: ListContext, config: dict[str, Any]) -> Iterator[Listed]:
        from provider.palette.errors import NotFoundError, PaletteError
        from provider.registries.lookup import registry_rows
        from provider.tfx.schema import Listed

        diags = ctx.diagnostics
        client = self.provider.proven_palette(diags)  # an empty list or "not found" only for a known key
        if client is None:
            return
        from provider.registries.resources import RESOURCE_CLASSES

        resource = RESOURCE_CLASSES[self.kind](self.provider)
        try:
            rows = [row for row in registry_rows(client, self.kind) if matches(row, config)]
        except PaletteError as exc:
            self._report(diags, exc, f"list {KINDS[self.kind].title} registries")
            return
        for row in rows:
            if row.family is None:
                _left_out(diags, row, f'Palette reports its type as "{row.auth}", which this provider does not know')
                continue
            values: dict[str, Any] = {"id": row.uid, "name": row.name}
            if ctx.include_resource:
                from provider.registries.lifecycle import UnmanagedCredentialsError

                try:
                    values = dict(resource.imported(client, row.family, row.uid))
                except NotFoundError:
                    continue  # deleted since it was listed
                except UnmanagedCredentialsError as exc:
                    _left_out(diags, row, exc.reason)
                    continue
                except PaletteError as exc:
                    self._report(diags, exc, f'read registry "{row.name}"')
                    return
                if values.get("auth_type") == "token":
                    _left_out(
                        diags,
                        row,
                        "it uses token authentication (set in the UI), which this provider reads but does not manage",
                    )
                    continue
            yield Listed(display_name(row.name), values)

    def _report(self, diags: Diagnostics, exc: PaletteError, action: str) -> None:
        from provider.diagnose import report

        report(diags, exc, action, resource_type=KINDS[self.kind].resource_type)


def _left_out(diags: Diagnostics, row: Row, why: str) -> None:
    name = display_name(row.name)
    diags.add_warning(
        f'Registry "{name}" left out of the list',
        f'Registry "{name}" ({row.uid}) is not listed: {why}. Manage it in Palette, or change it '
        "there to basic or ECR authentication and query again.",
    )


@cache
def _schema(title: str) -> Schema:
    return Schema(
        description=f"Lists the {title} registries the API key can see (Terraform 1.14+, `terraform query`), "
        "sorted by name; `-generate-config-out` writes a resource and an `import` block for each. Both filters "
        "are optional.",
        attributes=[
            Attribute(
                NAME_PREFIX,
                String(),
                optional=True,
                description="Only registries whose name starts with this text (case-sensitive).",
            ),
            Attribute(
                ENDPOINT,
                String(),
                optional=True,
                description="Only registries at this endpoint. Compared as the provider reaches it: a host alone "
                "means `https://`, trailing slashes and letter case do not matter.",
            ),
        ],
    )


class HelmRegistryList(RegistryList):
    kind = "helm"


class ZarfRegistryList(RegistryList):
    kind = "zarf"


class PacksRegistryList(RegistryList):
    kind = "pack"


LIST_RESOURCES: tuple[type[RegistryList], ...] = (HelmRegistryList, ZarfRegistryList, PacksRegistryList)
