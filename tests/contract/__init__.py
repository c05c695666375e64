"""The contract tools: the spec read as a contract, and a black-box suite that holds servers to it.

- ``spec``: loading, the ``$ref`` resolver, components, an ``Operation`` per operation.
- ``rules``: the ``x-`` rules as typed records, one implementation each.
- ``oracle``: jsonschema Draft 2020-12 with ECMA-262 patterns and ``x-equal-properties``.
- ``strategies``: Hypothesis strategies: valid values, and violations per rule.
- ``checks``: the registry of conformance checks and how the mock breaks each.
- ``cases``: the refusal and acceptance cases the suite submits.
- ``runner``: the target (HTTP, curl, budget, rate limits) and the runner emitting outcomes.
- ``transport``: how the runner sends (the runtime's ``HttpTransport``, one deadline an answer).
- ``coverage``: the spec's rules against the cases of a run (untested rules fail it).
- ``report``: stdout and JUnit XML reporters.
- ``conformance``: the command line (``python -m tests.contract.conformance``).
- ``mock``: the mock gateway (``python -m tests.contract.mock``).
- ``server``: the threaded, bounded HTTP server under the mock.
- ``arguments``: the argument types both command lines share.

Nothing here imports the generator (``codegen``) or the generated package
(``elkapi``): the oracle must not share the generator's bugs. The one
exception is the runtime's transport (``codegen.runtime._http``, with the
``_secrets`` and ``errors`` modules it raises and hides the key with), which
depends on no spec: the runner sends with the client's own discipline.
"""
