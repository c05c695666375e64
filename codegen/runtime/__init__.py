"""The runtime of every generated package: its modules are copied in unchanged.

Nothing here depends on a spec. What does (the package's name and version,
its schemas, one entry per operation) is rendered from ``codegen/templates``
into modules beside these, which import from them and never the other way.
The modules use relative imports only, so they work both here (where they are
linted, type-checked and unit-tested) and inside any generated package.

This file is the one part that is not copied: it holds what the generator
needs to know about the runtime, the public names it exports and where each
lives, next to the modules that define them.
"""

# What every generated package exports whatever its spec (no model may take these
# names), each with the module it comes from: the package's __init__ imports none of
# them up front, only on first use, so ``import <package>`` stays as cheap as a stdlib module.
RUNTIME_EXPORTS: dict[str, str] = {
    "AsyncTransport": "_async",
    "ThreadTransport": "_async",
    "StreamBody": "_bodies",
    "Upload": "_bodies",
    "RawResponse": "_client",
    "RetryPolicy": "_retry",
    "DownloadResult": "_download",
    "HttpRequest": "_http",
    "HttpResponse": "_http",
    "HttpTransport": "_http",
    "MockTransport": "_http",
    "Timeout": "_http",
    "Transport": "_http",
    "default_transport": "_http",
    "urllib_transport": "_http",
    "FieldError": "_validation",
    "AsyncClient": "client",
    "Client": "client",
    "ApiError": "errors",
    "AuthenticationError": "errors",
    "BadRequestError": "errors",
    "ConfigurationError": "errors",
    "DownloadError": "errors",
    "IncompleteResponseError": "errors",
    "NotFoundError": "errors",
    "PermissionDeniedError": "errors",
    "RateLimitError": "errors",
    "RedirectError": "errors",
    "RequestValidationError": "errors",
    "ResponseTooLargeError": "errors",
    "ResponseValidationError": "errors",
    "ServerError": "errors",
    "TransportError": "errors",
    "WaitTimeoutError": "errors",
    "DEFAULT_BASE_URL": "operations",
}
