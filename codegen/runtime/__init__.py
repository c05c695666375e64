"""The runtime of every generated package: its modules are copied in unchanged.

Nothing here depends on a spec. What does (the package's name and version,
its schemas, one entry per operation) is rendered from ``codegen/templates``
into modules beside these, which import from them and never the other way.
The modules use relative imports only, so they work both here (where they are
linted, type-checked and unit-tested) and inside any generated package.
"""
