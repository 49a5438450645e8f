"""The exception tree: one root with a stable code and HTTP status, mapped to output only at the edges."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class FieldProblem:
    """One thing wrong with one input field, said so a person can fix it."""

    location: str
    message: str

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class IlosError(Exception):
    """Root of every error ILOS raises on purpose."""

    code = "ilos_error"
    http_status = 500
    exit_code = 1

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class InvalidInputError(IlosError):
    """Input was wrong; carries every problem found, not just the first."""

    code = "invalid_input"
    http_status = 422
    exit_code = 2

    def __init__(self, message: str, problems: Sequence[FieldProblem] = ()) -> None:
        detail = message if not problems else message + "\n" + "\n".join(f"  - {p}" for p in problems)
        super().__init__(detail)
        self.summary = message
        self.problems = tuple(problems)


class NotFoundError(IlosError):
    code = "not_found"
    http_status = 404
    exit_code = 3


class ConflictError(IlosError):
    code = "conflict"
    http_status = 409
    exit_code = 4


class PermissionDeniedError(IlosError):
    code = "permission_denied"
    http_status = 403
    exit_code = 5


class ConfigError(IlosError):
    """The deployment or a definitions file is wrong."""

    code = "config_error"
    http_status = 500
    exit_code = 6


class BadSourceFileError(InvalidInputError):
    """A source file cannot be read as declared (encoding, columns, emptiness); nothing of it was landed."""

    code = "bad_source_file"


class NotAuthenticatedError(IlosError):
    """No valid credentials: missing, wrong, expired or revoked token, or a refused sign-in."""

    code = "not_authenticated"
    http_status = 401
    exit_code = 5


class UnknownPurposeError(InvalidInputError):
    """The declared purpose of use is missing or not one ILOS knows."""

    code = "unknown_purpose"
    http_status = 400


class GateBlockedError(ConflictError):
    """An adverse step refused because a gate blocks it; `problems` names each gate (`gate.<id>`) and why."""

    code = "gate_blocked"

    def __init__(self, message: str, problems: Sequence[FieldProblem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)
