"""Cut Redocly's Museum API (Redocly/museum-openapi-example) down to what the generator reads.

Source: https://github.com/Redocly/museum-openapi-example, commit
2770b2b2e59832d245c7b0eb0badf6568d7efb53, file ``openapi.yaml``, MIT licence
(``museum.LICENSE`` beside this file). From the project root,
``python -m tests.specs.real.museum_extract openapi.yaml /museum-hours /special-events
/tickets > tests/specs/real/museum.yaml``
keeps the paths under the given prefixes (these three are all of them) and every
component they reference, transitively, as they are, the tags and the security
schemes; it leaves out the ``webhooks`` (requests the API sends, for which no
client code is generated). The result stays OpenAPI 3.1.
"""

from __future__ import annotations

from typing import Any

from tests.specs.real.sections import extracted, main, section

SOURCE = (
    "https://github.com/Redocly/museum-openapi-example (openapi.yaml at "
    "2770b2b2e59832d245c7b0eb0badf6568d7efb53), MIT licence."
)


def extract(document: dict[str, Any], prefixes: list[str]) -> dict[str, Any]:
    paths, components = section(document, prefixes)
    named = ", ".join(prefixes)
    description = f"{document['info']['description']} The {named} paths of {SOURCE}"
    return extracted(document, description, paths, components, document.get("tags", []))


if __name__ == "__main__":
    main(extract)
