"""File-level checks done before any row is read: existence, emptiness, encoding, sha256 and header.

A failure here rejects the whole source batch, so each message names the file and shows the value."""

from __future__ import annotations

import codecs
import csv
import hashlib
from collections.abc import Sequence
from pathlib import Path

from ilos.errors import BadSourceFileError, FieldProblem

CHUNK_BYTES = 16 * 1024 * 1024
MAX_EXAMPLES = 5


def is_utf8(encoding: str) -> bool:
    """DuckDB reads utf-8 directly (a BOM is skipped); any other encoding is transcoded first."""
    try:
        return codecs.lookup(encoding).name == "utf-8"
    except LookupError:
        raise BadSourceFileError(
            f"Encoding {encoding!r} is unknown; set `encoding:` to one Python knows, e.g. utf-8 or latin-1"
        ) from None


def not_a_file(path: Path) -> str | None:
    """Why a path named as a file is none (it does not exist, or is a directory), or None when it is one."""
    if path.is_file():
        return None
    return "is a directory, not a file" if path.is_dir() else "does not exist"


def check_exists(path: Path) -> None:
    """A missing or empty file is a file error: there is nothing to land."""
    if (why := not_a_file(path)) is not None:
        raise BadSourceFileError(f"Source file {path} {why}; check `path` in the sources config")
    if path.stat().st_size == 0:
        raise BadSourceFileError(
            f"Source file {path.name} is empty (0 bytes); expected a header and data rows"
        )


def hash_file(path: Path) -> str:
    """sha256 of the file bytes: with the source and config hash it is the batch idempotency key."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK_BYTES):
            digest.update(chunk)
    return digest.hexdigest()


def hash_and_check_text(path: Path, encoding: str, delimiter: str, transcode_to: Path | None) -> str:
    """Hash the file and prove it decodes in its declared encoding, in one streaming pass.

    When `transcode_to` is given the decoded text is written there as utf-8 for DuckDB to read.
    """
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    out = transcode_to.open("w", encoding="utf-8", newline="") if transcode_to else None
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(CHUNK_BYTES):
                digest.update(chunk)
                text = decoder.decode(chunk)
                if out is not None:
                    out.write(text)
            decoder.decode(b"", final=True)
    except UnicodeError:
        raise encoding_error(path, encoding, delimiter) from None
    finally:
        if out is not None:
            out.close()
    return digest.hexdigest()


def encoding_error(path: Path, encoding: str, delimiter: str) -> BadSourceFileError:
    """Locate the first few undecodable byte runs and say where they are and what they look like."""
    data = path.read_bytes()
    header = _header_of(data, encoding, delimiter)
    problems: list[FieldProblem] = []
    pos = 0
    while len(problems) < MAX_EXAMPLES:
        try:
            data[pos:].decode(encoding)
            break
        except UnicodeDecodeError as exc:
            start, end = pos + exc.start, pos + max(exc.end, exc.start + 1)
            problems.append(_describe_bad_bytes(data, start, end, encoding, delimiter, header))
            pos = end
        except UnicodeError as exc:  # e.g. utf-16 without a byte order mark: no position to show
            problems.append(FieldProblem(f"byte {pos}", f"{exc}; first bytes {data[pos : pos + 16]!r}"))
            break
    shown = "the first " + str(len(problems)) if len(problems) == MAX_EXAMPLES else str(len(problems))
    return BadSourceFileError(
        f"Source file {path.name} is not valid {encoding} ({shown} bad byte sequence(s) below; "
        "line numbers count the header as line 1, data row numbers exclude it); "
        "re-save it as the declared encoding or set `encoding:` for this source (e.g. latin-1)",
        problems,
    )


def _describe_bad_bytes(
    data: bytes, start: int, end: int, encoding: str, delimiter: str, header: Sequence[str]
) -> FieldProblem:
    line_start = data.rfind(b"\n", 0, start) + 1
    line_end = data.find(b"\n", start)
    line_end = len(data) if line_end < 0 else line_end
    line = data.count(b"\n", 0, start) + 1
    prefix = _lenient(data[line_start:start], encoding)
    index = len(_split_fields(prefix, delimiter)) - 1 if prefix else 0
    column = header[index] if 0 <= index < len(header) else f"#{index + 1}"
    shown = data[line_start:line_end][:200].decode(encoding, errors="backslashreplace")
    return FieldProblem(
        f"line {line} (data row {line - 1}) column {column!r}",
        f"bad bytes {data[start:end]!r} in the line: {shown}",
    )


def _lenient(data: bytes, encoding: str) -> str:
    """Best-effort text for messages about a file that does not decode."""
    try:
        return data.decode(encoding, errors="replace")
    except UnicodeError:
        return data.decode("latin-1")


def _header_of(data: bytes, encoding: str, delimiter: str) -> list[str]:
    first = _lenient(data.split(b"\n", 1)[0], encoding).lstrip("\ufeff").rstrip("\r")
    return _split_fields(first, delimiter)


def _split_fields(text: str, delimiter: str) -> list[str]:
    """Fields of one line for a message; a line csv cannot parse is split naively."""
    try:
        return next(csv.reader([text], delimiter=delimiter), [])
    except csv.Error:
        return text.split(delimiter)


def read_csv_header(path: Path, encoding: str, delimiter: str) -> list[str]:
    """The header record, and proof that at least one data row follows it."""
    header, has_rows = csv_header(path, encoding, delimiter)
    if not has_rows:
        raise BadSourceFileError(
            f"Source file {path.name} is empty: it has a header "
            f"(line 1: {delimiter.join(header)!r}) but no data rows"
        )
    return header


def csv_header(path: Path, encoding: str, delimiter: str) -> tuple[list[str], bool]:
    """The header record, and whether any data row follows it."""
    # utf-8-sig: a byte-order mark (Excel's "CSV UTF-8") is not part of the first name, quoted or not.
    utf8 = codecs.lookup(encoding).name == "utf-8"
    read_as = "utf-8-sig" if utf8 else encoding
    with path.open(encoding=read_as, errors="replace", newline="") as handle:
        # strict: a header quoted against RFC 4180 (`id,"na"me`) leaves DuckDB's reader no row it can read
        reader = csv.reader(handle, delimiter=delimiter, strict=True)
        try:
            header = next(reader)
        except csv.Error as exc:
            raise BadSourceFileError(
                f"Source file {path.name}: the quoting of its header is broken ({exc}), and with it none could be "
                "read of its rows; a quote must close right before the delimiter"
            ) from None
        except StopIteration:  # no text at all: a byte-order mark alone (a file of 0 bytes is refused before)
            raise BadSourceFileError(
                f"Source file {path.name} has no header line: the file is empty"
            ) from None
        except UnicodeError as exc:
            raise BadSourceFileError(f"Source file {path.name} has no readable header line: {exc}") from None
        if any("\ufffd" in name for name in header):
            _check_header_bytes(path, encoding, read_as)
        if reader.line_num > 1:  # the CSV reader skips a header record by lines: every row would be lost
            raise BadSourceFileError(
                f"The header of {path.name} spans {reader.line_num} lines (a line break inside a quoted column "
                "name); write every column name on the first line"
            )
        try:
            has_rows = any(row for row in reader)
        except csv.Error:
            has_rows = True  # a malformed data line is a row problem, found and quarantined later
    return [name.lstrip("\ufeff") if i == 0 else name for i, name in enumerate(header)], has_rows


def _check_header_bytes(path: Path, encoding: str, read_as: str) -> None:
    """A header that does not decode in the file's encoding is said as such: read with its bad bytes
    replaced, its names matched no mapped column, and every mapped column was said to be missing."""
    with path.open("rb") as raw:
        line = raw.readline(64 * 1024)
    try:  # not final: a line cut short of a character (UTF-16's newline is two bytes) is no bad byte
        codecs.getincrementaldecoder(read_as)(errors="strict").decode(line, final=False)
    except UnicodeDecodeError as exc:
        bom = line.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
        declare = (
            ": `encoding: utf-16` (it starts with UTF-16's byte-order mark)"
            if bom
            else ", e.g. `encoding: cp1252`"
        )
        raise BadSourceFileError(
            f"The header of {path.name} is not valid {encoding}: bad bytes {line[exc.start : exc.end]!r} at "
            f"byte {exc.start} of line 1 ({line[:120].rstrip()!r}); declare the file's encoding in its source"
            f"{declare}"
        ) from None


def check_columns(file_name: str, found: Sequence[str], declared: Sequence[str], where: str) -> None:
    """Compare the file's columns with the declared schema and list every difference at once."""
    problems: list[FieldProblem] = []
    shown = ", ".join(found)
    seen, folded = set(found), set()
    for name in found:
        if name.casefold() in folded:  # the lake's tables (DuckDB) ignore case in column names
            problems.append(
                FieldProblem(
                    f"{file_name} column {name!r}", f"appears twice in the {where} ({shown}; case aside)"
                )
            )
        folded.add(name.casefold())
    for name in declared:
        if name not in seen:
            problems.append(
                FieldProblem(
                    f"{file_name} column {name!r}", f"is declared but missing from the {where} ({shown})"
                )
            )
    for name in dict.fromkeys(found):
        if name not in declared:
            problems.append(
                FieldProblem(f"{file_name} column {name!r}", f"is in the {where} but not declared ({shown})")
            )
    if problems:
        raise BadSourceFileError(
            f"Source file {file_name} does not match its declared columns ({len(problems)} problem(s)); "
            "fix the file or the `columns:` of the source",
            problems,
        )
