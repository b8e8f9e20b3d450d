"""CKAN's errors: the HTTP status, CKAN's ``__type``, a message and (Validation Error) field errors."""

from __future__ import annotations

from typing import Any


class ApiError(Exception):
    """A CKAN error: HTTP status, CKAN's __type, a message, and (Validation Error) field errors."""

    def __init__(self, status: int, kind: str, message: str = "", fields: dict | None = None):
        super().__init__(message)
        self.status, self.kind, self.message, self.fields = status, kind, message, fields or {}

    def body(self) -> dict[str, Any]:
        error: dict[str, Any] = {"__type": self.kind}
        if self.message:
            error["message"] = self.message
        error.update(self.fields)
        return error


def not_found(message: str = "Not found") -> ApiError:
    return ApiError(404, "Not Found Error", message)


def invalid(name: str, message: str) -> ApiError:
    return ApiError(409, "Validation Error", "", {name: [message]})


def query_error(message: str) -> ApiError:
    return ApiError(400, "Search Query Error", f"Search Query is invalid: {message}")


def bad_request(message: str) -> ApiError:
    return ApiError(400, "Bad Request", f"Bad request - {message}")
