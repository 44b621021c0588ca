"""How the SQL adapter reads database errors: unavailable, missing tables, integrity."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc

from .base import (
    AdapterError,
    AdapterUnavailable,
    DuplicateError,
    MissingTables,
    NotFoundError,
    driver_cause,
)


@contextmanager
def mapped_errors() -> Iterator[None]:
    """Driver errors become adapter errors, without SQL parameters."""
    try:
        yield
    except exc.IntegrityError as error:
        raise integrity_error(error) from None
    except (exc.OperationalError, exc.ProgrammingError) as error:
        if missing_table(error):
            raise MissingTables() from None
        if isinstance(error, exc.ProgrammingError):
            raise AdapterError(f"database error ({type(error).__name__})") from None
        raise unavailable(error) from None
    except (exc.InterfaceError, exc.TimeoutError) as error:
        raise unavailable(error) from None
    except exc.SQLAlchemyError as error:
        raise AdapterError(f"database error ({type(error).__name__})") from None


def missing_table(error: exc.DBAPIError) -> bool:
    """SQLite's "no such table" or PostgreSQL's undefined_table (SQLSTATE 42P01)."""
    orig = getattr(error, "orig", None)
    return getattr(orig, "sqlstate", None) == "42P01" or "no such table" in str(orig)


def unavailable(error: exc.SQLAlchemyError) -> AdapterUnavailable:
    cause = getattr(error, "orig", None) or error
    return AdapterUnavailable(
        f"database unavailable ({type(cause).__name__}: {driver_cause(cause)})"
    )


def integrity_error(error: exc.IntegrityError) -> AdapterError:
    orig = error.orig
    code = getattr(orig, "sqlstate", None) or getattr(orig, "sqlite_errorname", "")
    if code == "23503" or "FOREIGNKEY" in str(code):
        return NotFoundError("no such user")
    if code == "23505" or "UNIQUE" in str(code) or "PRIMARYKEY" in str(code):
        return DuplicateError("a record with this unique key already exists")
    return AdapterError(f"integrity error ({code or type(orig).__name__})")
