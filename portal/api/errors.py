"""CKAN's action errors, each with the HTTP status and ``__type`` that CKAN clients map."""
from __future__ import annotations


class ActionError(Exception):
    """Base of the errors an action may raise; subclasses fix status and type."""

    status = 500
    type_name = "Internal Server Error"

    def __init__(self, message: str = ""):
        super().__init__(message)
        self.message = message

    def error_dict(self) -> dict:
        """The ``error`` member of CKAN's envelope."""
        return {"__type": self.type_name, "message": self.message}


class NotFound(ActionError):
    """ckanapi raises NotFound on this type; the text after ': ' is its message."""

    status = 404
    type_name = "Not Found Error"

    def __init__(self, detail: str = ""):
        super().__init__(f"Not found: {detail}" if detail else "Not found")


class ValidationError(ActionError):
    """Field errors, as CKAN returns them: ``{field: [messages]}`` beside ``__type``."""

    status = 409
    type_name = "Validation Error"

    def __init__(self, errors: dict[str, list[str]]):
        super().__init__("; ".join(f"{k}: {', '.join(v)}" for k, v in errors.items()))
        self.errors = errors

    def error_dict(self) -> dict:
        """CKAN puts the field errors at the top level of ``error``."""
        return {"__type": self.type_name, **self.errors}


class SearchQueryError(ActionError):
    """A q/fq/sort that cannot be parsed (Solr's 400)."""

    status = 400
    type_name = "Search Query Error"

    def __init__(self, detail: str):
        super().__init__(f"Search Query is invalid: {detail}")


class SearchError(ActionError):
    """A q/fq the search cannot run: a syntax error, an unknown field (Solr's error, 409)."""

    status = 409
    type_name = "Search Error"


class RateLimited(ActionError):
    """Too many requests from one address; the client should wait ``retry_after`` seconds."""

    status = 429
    type_name = "Rate Limit Error"

    def __init__(self, retry_after: int):
        super().__init__(f"Too many requests: retry after {retry_after} s")
        self.retry_after = retry_after


class NotAuthorized(ActionError):
    """The caller may not run this action (CKAN: ``Access denied[: detail]``, 403)."""

    status = 403
    type_name = "Authorization Error"

    def __init__(self, detail: str = ""):
        super().__init__(f"Access denied: {detail}" if detail else "Access denied")


class RequestTooLarge(ActionError):
    """A request body over the API's limit (API_MAX_BODY), refused before it is read."""

    status = 413
    type_name = "Request Entity Too Large"

    def __init__(self, limit: int):
        super().__init__(f"Request body larger than {limit} bytes")
