"""Spec-driven generator: an OpenAPI 3.1 document in, a typed standard-library client out.

Flow: :mod:`codegen.loader` reads the spec and resolves references,
:mod:`codegen.parser` builds the typed IR of :mod:`codegen.ir`, and
:mod:`codegen.models` and :mod:`codegen.render` turn it into formatted
modules beside the runtime of :mod:`codegen.runtime`.
"""
