"""The sources config (sources.yaml / link CONFIG.yaml): validated models, loading with every problem at once,
and the content hash each run records."""

from __future__ import annotations

import codecs
import hashlib
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ilos.definitions.yaml_text import load_yaml
from ilos.errors import FieldProblem, InvalidInputError

CANONICAL_FIELDS: frozenset[str] = frozenset(
    {
        "given_name",
        "middle_name",
        "family_name",
        "full_name",
        "date_of_birth",
        "sex",
        "street",
        "city",
        "state",
        "postal_code",
        "country_of_birth",
        "nationality",
        "phone",
        "a_number",
        "fbi_number",
        "ssn",
        "passport_number",
        "state_id",
        "record_date",
    }
)
# Text codecs that decode no file: for domain names (idna refuses the `replace` errors a header is read
# with, punycode reads ASCII as its own digits) or none at all.
_NOT_FILE_ENCODINGS = frozenset({"idna", "punycode", "undefined"})
_NOT_DELIMITERS = frozenset({'"', "\n", "\r", "\x00"})
IDENTIFIER_FIELDS: frozenset[str] = frozenset(
    {"a_number", "fbi_number", "ssn", "passport_number", "state_id"}
)
DATE_FIELDS: frozenset[str] = frozenset({"date_of_birth", "record_date"})

ColumnType = Literal["string", "identifier", "date", "integer", "number", "boolean"]


def file_format_of(path: str | Path) -> Literal["csv", "parquet"]:
    """How a file is read, by its name: Parquet when it ends in .parquet, else CSV."""
    return "parquet" if str(path).lower().endswith(".parquet") else "csv"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ColumnSpec(_Strict):
    """One declared column of a source file: what ingest validates each row against."""

    type: ColumnType = "string"
    required: bool = False
    format: str | None = None
    pattern: str | None = Field(default=None, description="Regex an identifier must match when present.")

    @model_validator(mode="after")
    def _date_needs_format(self) -> ColumnSpec:
        if self.type == "date" and not self.format:
            raise ValueError("a date column needs a format, e.g. format: '%Y-%m-%d'")
        if self.type == "date" and self.format and (why := date_format_problem(self.format)):
            raise ValueError(why)
        return self


class DateField(_Strict):
    """A canonical date taken from one column with an explicit strptime format."""

    column: str
    format: str


FieldSource = Annotated[str | list[str] | DateField, Field(union_mode="left_to_right")]


class EventSpec(_Strict):
    """How one source row becomes a typed timeline event."""

    kind: str
    date: str = Field(description="Column holding the event date (its format comes from `columns`).")
    attributes: dict[str, str] = Field(default_factory=dict, description="Event attribute -> column.")
    when: dict[str, list[str]] | None = Field(
        default=None, description="Only rows whose column value is in the list, e.g. {record_type: [ARREST]}."
    )
    unless: dict[str, list[str]] | None = Field(
        default=None,
        description='Not rows whose column value is in the list ("" for an empty one), e.g. {decision: [PENDING, ""]}: '
        "every other value, one nobody listed included, qualifies.",
    )


class SourceSpec(_Strict):
    """One source: a file, its identity mapping to canonical fields, markings and events."""

    name: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    path: str
    record_id: str
    one_record_per_entity: bool = False
    minimum_age: int | None = Field(
        default=None,
        ge=0,
        le=120,
        description="Every person in this source was at least this many years old on the record's record_date "
        "(wage reports: 14), so a date of birth later than that is not theirs.",
    )
    markings: tuple[str, ...] = ()
    encoding: str = "utf-8"
    delimiter: str = ","
    description: str = ""
    name_order: Literal["given_first", "family_first"] = Field(
        default="given_first",
        description='How `full_name` is written without a comma: "MARIA GARCIA" or "GARCIA MARIA".',
    )
    columns: dict[str, ColumnSpec] | None = Field(
        default=None, description="Declared schema; when absent it is derived from the mapped fields."
    )
    fields: dict[str, FieldSource] = Field(default_factory=dict)
    events: tuple[EventSpec, ...] = ()
    reference: bool = Field(default=False, description="Reference data (facilities, transport), not people.")

    @field_validator("fields", mode="before")
    @classmethod
    def _parse_fields(cls, value: Any) -> Any:
        """One clear message per bad mapping, all at once, instead of pydantic's union noise."""
        if not isinstance(value, dict):
            raise ValueError("`fields` must map canonical field names to columns")
        problems = [p for name, spec in value.items() if (p := _field_problem(str(name), spec))]
        if problems:
            raise ValueError("; ".join(problems))
        return {name: DateField(**spec) if isinstance(spec, dict) else spec for name, spec in value.items()}

    @field_validator("markings")
    @classmethod
    def _upper_markings(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(m.upper() for m in value)

    @field_validator("delimiter")
    @classmethod
    def _one_character(cls, value: str) -> str:
        if len(value) != 1:
            raise ValueError(f"`delimiter` must be one character (',', ';', '|' or a tab), got {value!r}")
        if value in _NOT_DELIMITERS:  # the quote, a line break or a NUL cannot part a CSV's fields
            raise ValueError(f"`delimiter` {value!r} cannot part fields (use ',', ';', '|' or a tab)")
        return value

    @field_validator("encoding")
    @classmethod
    def _known_encoding(cls, value: str) -> str:
        """A codec a text file can be written in: Python also knows codecs from bytes to bytes (zlib, base64,
        hex), from text to text (rot13) and for domain names (idna, punycode), which passed here and then
        failed the run with a traceback."""
        try:
            codec = codecs.lookup(value)
        except LookupError:
            raise ValueError(
                f"`encoding` {value!r} is no encoding Python knows (e.g. utf-8, latin-1, cp1252)"
            ) from None
        if not codec._is_text_encoding or codec.name in _NOT_FILE_ENCODINGS:
            raise ValueError(
                f"`encoding` {value!r} is not one a text file is written in (e.g. utf-8, latin-1, cp1252)"
            )
        return value

    @property
    def full_name_family_first(self) -> bool:
        return self.name_order == "family_first"

    @property
    def file_format(self) -> Literal["csv", "parquet"]:
        return file_format_of(self.path)

    def mapped_columns(self, canonical: str) -> list[str]:
        """The source columns one canonical field is built from."""
        spec = self.fields[canonical]
        if isinstance(spec, DateField):
            return [spec.column]
        return [spec] if isinstance(spec, str) else list(spec)

    def used_columns(self) -> frozenset[str]:
        """Every column of the file the config reads: the record id, the declared and mapped columns and the
        events' columns (a Parquet file's other columns, lists or structs say, are never read)."""
        used = {self.record_id, *self.declared_schema()}
        used.update(column for canonical in self.fields for column in self.mapped_columns(canonical))
        for event in self.events:
            used.update((event.date, *event.attributes.values(), *(event.when or {}), *(event.unless or {})))
        return frozenset(used)

    def declared_schema(self) -> dict[str, ColumnSpec]:
        """The declared schema, or one derived from record_id and the mapped fields."""
        if self.columns is not None:
            return dict(self.columns)
        derived: dict[str, ColumnSpec] = {self.record_id: ColumnSpec(type="string", required=True)}
        for canonical, spec in self.fields.items():
            if isinstance(spec, DateField):
                derived[spec.column] = ColumnSpec(type="date", format=spec.format)
            else:
                kind: ColumnType = "identifier" if canonical in IDENTIFIER_FIELDS else "string"
                for column in self.mapped_columns(canonical):
                    derived.setdefault(column, ColumnSpec(type=kind))
        return derived


class SourcesConfig(_Strict):
    """A whole config: every source, resolved relative to the file it came from."""

    version: Literal[1] = 1
    """The config format's version; this release reads version 1."""
    sources: tuple[SourceSpec, ...]
    base_dir: Path = Field(default=Path("."), exclude=True)
    content_hash: str = Field(default="", exclude=True)

    def source(self, name: str) -> SourceSpec:
        for spec in self.sources:
            if spec.name == name:
                return spec
        known = ", ".join(s.name for s in self.sources)
        raise InvalidInputError(f"No source named {name!r} in the config; known sources: {known}")

    @property
    def restricted_sources(self) -> frozenset[str]:
        """The people sources holding at most one record per person (`one_record_per_entity`)."""
        return frozenset(s.name for s in self.people_sources if s.one_record_per_entity)

    def path_of(self, spec: SourceSpec) -> Path:
        return (self.base_dir / Path(spec.path).expanduser()).resolve()

    @property
    def people_sources(self) -> tuple[SourceSpec, ...]:
        return tuple(s for s in self.sources if not s.reference)


def _field_problem(name: str, spec: Any) -> str | None:
    if name not in CANONICAL_FIELDS:
        return f"field {name!r} is not a canonical field (use one of {', '.join(sorted(CANONICAL_FIELDS))})"
    if isinstance(spec, DateField):
        return None
    if isinstance(spec, dict):
        if set(spec) != {"column", "format"}:
            return f"field {name!r}: a date mapping needs exactly `column` and `format` (got keys {sorted(spec)})"
        if not all(isinstance(v, str) and v for v in spec.values()):
            return f"field {name!r}: a date mapping's `column` and `format` are each one text (got {spec!r})"
        why = date_format_problem(spec["format"])
        return f"field {name!r}: {why}" if why else None
    if name in DATE_FIELDS:
        return f"field {name!r} needs its date format: write {{column: {spec!r}, format: '%Y-%m-%d'}}"
    if isinstance(spec, str) and spec:
        return None
    if isinstance(spec, list) and spec and all(isinstance(c, str) and c for c in spec):
        twice = sorted({c for c in spec if spec.count(c) > 1})
        # joined twice, a name reads GARCIA GARCIA: a second surname that is not there
        return f"field {name!r} lists column(s) {', '.join(map(repr, twice))} twice" if twice else None
    return f"field {name!r}: map it to a column name, a list of column names, or {{column, format}}"


def date_format_problem(fmt: str) -> str | None:
    """Why `fmt` cannot read dates, or None: it must be a strptime format that reads back a year, a month
    and a day (a format such as 'YYYY-MM-DD' would leave every date of the source missing)."""
    sample = datetime(2001, 2, 3, 4, 5, 6, tzinfo=UTC)  # aware, so %z and %Z write something to read back
    if "%" not in fmt:
        return f"format {fmt!r} is not a strptime format; write it with directives, e.g. '%Y-%m-%d' or '%m/%d/%Y'"
    try:
        read_back = datetime.strptime(sample.strftime(fmt), fmt).date()
    except ValueError as exc:
        return f"format {fmt!r} is not a strptime format ({exc}); e.g. '%Y-%m-%d' or '%m/%d/%Y'"
    if read_back != sample.date():
        return f"format {fmt!r} does not hold a whole date: it needs a year, a month and a day"
    return None


def hash_config_text(text: bytes) -> str:
    """Content hash recorded by every run that used this config."""
    return hashlib.sha256(text).hexdigest()


def load_sources_config(path: Path) -> SourcesConfig:
    """Parse and validate a sources config, reporting every problem at once."""
    config, problems = read_sources_config(path)
    if problems:
        raise InvalidInputError(f"Config file {path} has {len(problems)} problem(s)", problems)
    return config


def read_sources_config(path: Path) -> tuple[SourcesConfig, list[FieldProblem]]:
    """The config's sources that validate, and every problem of the config: the field errors and the checks
    across sources (`check_config_semantics`) in one list, so that a caller can add the problems of the
    files themselves (missing columns) and report them all at once. Only a missing file, bad YAML or a
    config that is not a mapping with `sources:` raise here: nothing else can be checked then."""
    if not path.is_file():
        raise InvalidInputError(f"Config file {path} does not exist; pass the path of a sources YAML file")
    raw = path.read_bytes()
    try:
        data = load_yaml(raw)
    except yaml.YAMLError as exc:
        raise InvalidInputError(f"Config file {path} is not valid YAML: {exc}") from exc
    if not isinstance(data, dict) or "sources" not in data:
        raise InvalidInputError(f"Config file {path} must be a mapping with a 'sources:' list")
    problems: list[FieldProblem] = []
    try:
        config = SourcesConfig.model_validate(data)
    except ValidationError as exc:
        problems = _problems_from(exc, data)
        config = SourcesConfig.model_construct(sources=_checkable_sources(data["sources"]))
    problems += _across_entries(data["sources"]) + check_config_semantics(config)
    located = config.model_copy(
        update={"base_dir": path.parent.resolve(), "content_hash": hash_config_text(raw)}
    )
    return located, problems


def _checkable_sources(entries: object) -> tuple[SourceSpec, ...]:
    """Every entry of `sources:` that validates once its invalid parts are left out (`_checkable`), so that
    its file is checked in the same run: a misspelt field or option does not hide a missing file or column
    until it is fixed. Their problems are reported all the same, so none of them is ever used to link."""
    entries = entries if isinstance(entries, list) else []
    return tuple(spec for entry in entries if (spec := _checkable(entry)) is not None)


_REQUIRED_KEYS = frozenset({"name", "path", "record_id"})
"""Without these valid, an entry's file cannot be checked."""


def _checkable(entry: object) -> SourceSpec | None:
    """The entry with its invalid field mappings and its invalid or unknown optional keys left out, validated;
    None when that leaves it invalid (its name, path or record id is)."""
    if not isinstance(entry, dict):
        return None
    pruned = dict(entry)
    if isinstance(fields := pruned.get("fields"), dict):
        pruned["fields"] = {n: spec for n, spec in fields.items() if _field_problem(str(n), spec) is None}
    while True:
        try:
            return SourceSpec.model_validate(pruned)
        except ValidationError as exc:
            invalid = {error["loc"][0] for error in exc.errors() if error["loc"]} & pruned.keys()
            if not invalid or invalid & _REQUIRED_KEYS:
                return None
            for key in invalid:
                del pruned[key]


def _across_entries(entries: object) -> list[FieldProblem]:
    """Problems of the entries as written, valid or not, so none waits for another run: a source name
    declared twice, a minimum_age without the record_date it holds on."""
    problems: list[FieldProblem] = []
    seen: set[object] = set()
    for entry in entries if isinstance(entries, list) else []:
        if not isinstance(entry, dict):
            continue
        name = entry.get("name")
        where = f"source {name!r}"
        if name in seen:
            problems.append(FieldProblem(where, "is declared twice; source names must be unique"))
        seen.add(name)
        fields = entry.get("fields")
        if entry.get("minimum_age") is not None and not (
            isinstance(fields, dict) and "record_date" in fields
        ):
            problems.append(
                FieldProblem(f"{where} minimum_age", "needs a record_date field: the date the age holds on")
            )
    return problems


def check_config_semantics(config: SourcesConfig) -> list[FieldProblem]:
    """Problems of valid sources that pydantic cannot see: mapped, record id and event columns missing from
    a declared schema."""
    problems: list[FieldProblem] = []
    for spec in config.sources:
        where = f"source {spec.name!r}"
        schema = spec.columns
        for canonical in spec.fields:
            if schema is not None:
                for column in spec.mapped_columns(canonical):
                    if column not in schema:
                        problems.append(
                            FieldProblem(
                                f"{where} field {canonical!r}",
                                f"maps column {column!r}, not declared in columns",
                            )
                        )
        if schema is not None and spec.record_id not in schema:
            problems.append(FieldProblem(f"{where} record_id", f"column {spec.record_id!r} is not declared"))
        for event in spec.events:
            if schema is not None and event.date not in schema:
                problems.append(
                    FieldProblem(
                        f"{where} event {event.kind!r}", f"date column {event.date!r} is not declared"
                    )
                )
    return problems


def _problems_from(exc: ValidationError, data: dict[str, Any]) -> list[FieldProblem]:
    sources = data.get("sources") or []
    problems: list[FieldProblem] = []
    for error in exc.errors():
        loc = list(error["loc"])
        if len(loc) >= 2 and loc[0] == "sources" and isinstance(loc[1], int) and loc[1] < len(sources):
            entry = sources[loc[1]]
            name = entry.get("name", f"#{loc[1]}") if isinstance(entry, dict) else f"#{loc[1]}"
            where = f"source {name!r} " + ".".join(str(p) for p in loc[2:])
        else:
            where = ".".join(str(p) for p in loc)
        message = str(error["msg"]).removeprefix("Value error, ")
        problems.extend(FieldProblem(where.strip(), part) for part in message.split("; "))
    return problems
