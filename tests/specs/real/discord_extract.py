"""Cut one section out of Discord's published OpenAPI 3.1 document (discord/discord-api-spec).

Source: https://github.com/discord/discord-api-spec, commit
74fda0fad044407ea280043a03ffc9bc64c4e49e, file ``specs/openapi.json``, MIT
licence (``discord.LICENSE`` beside this file). From the project root,
``python -m tests.specs.real.discord_extract openapi.json /lobbies >
tests/specs/real/discord-lobbies.yaml``
keeps the paths under the given prefixes and every component they reference,
transitively, as they are, and the security schemes. The result stays OpenAPI 3.1.
"""

from __future__ import annotations

from typing import Any

from tests.specs.real.sections import extracted, main, section

SOURCE = (
    "https://github.com/discord/discord-api-spec (specs/openapi.json at "
    "74fda0fad044407ea280043a03ffc9bc64c4e49e), MIT licence."
)


def extract(document: dict[str, Any], prefixes: list[str]) -> dict[str, Any]:
    paths, components = section(document, prefixes)
    named = ", ".join(prefixes)
    return extracted(document, f"The {named} section of {SOURCE}", paths, components)


if __name__ == "__main__":
    main(extract)
