"""Spec-driven generator: an OpenAPI 3.1 document in, a typed standard-library client out.

Flow: :mod:`codegen.loader` reads the spec and resolves references,
:mod:`codegen.parser` builds the typed IR of :mod:`codegen.ir`, and
:mod:`codegen.models` and :mod:`codegen.render` turn it into formatted
modules beside the runtime of :mod:`codegen.runtime`.
"""

from importlib import metadata

try:
    # The distribution's version, which is the spec's info.version (pyproject.toml reads it
    # from elkapi/_spec.py): the generator has no release of its own.
    __version__ = metadata.version("elkapi-contract")
except metadata.PackageNotFoundError:  # a checkout used without installing it
    __version__ = "0+unknown"
