"""The import kinds every app offers on the one "Imports" page, and how an import is run.

Each app registers its imports in `AppConfig.ready()` (`register_import_kind`), calling the
same service function as its management command; the page (organisation app) lists the
kinds the user's roles allow and never names the app that filled this registry.

- `ImportKind.run(prefecture, data, *, filename, options, actor) -> ImportSummary`: the
  app's one service for that import. It refuses a file by raising
  `engagements.csvio.CsvImportError` (line, column and French message for each error);
  any other refusal of the app becomes one such error (`csvio.refusal`).
- `ImportKind.roles`: the role kinds that may run it (a national administrator always
  may); the page checks them on every request.
- `ImportKind.options`: what the file alone does not say (the site of a telephony file,
  the campaign of survey answers…), each an `ImportOption` whose choices are computed for
  the prefecture and the user (a site manager is offered his sites only).

`run_import(..., dry_run=True)` is the preview: the service runs in a transaction that is
rolled back, so the counts shown are exactly what the confirmation writes, with the same
rules, and nothing stays (no row, no mail: callbacks waiting for the commit are dropped).
The commands' `--dry-run` and the page's preview both go through `all_or_nothing`.
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ImportOption:
    """A value asked beside the file. `choices(prefecture, access)` gives (value, label)
    pairs (None: free text, or a number when `number`)."""

    name: str
    label: str
    choices: Callable | None = None
    required: bool = True
    help: str = ""
    number: bool = False
    default: str = ""


@dataclass
class ImportSummary:
    """What an import wrote (or, in a preview, would write): labelled counts and notes."""

    counts: list[tuple[str, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def text(self) -> str:
        return ", ".join(f"{label} : {n}" for label, n in self.counts)


@dataclass(frozen=True)
class ImportKind:
    code: str
    label: str
    group: str
    columns: str
    run: Callable[..., ImportSummary]
    roles: frozenset[str] = frozenset({"quality_lead"})
    options: tuple[ImportOption, ...] = ()
    # "csv", "lines" (queue_log), "json-or-csv", "yaml", or `(options) -> one of them`
    file_format: str | Callable[[dict], str] = "csv"
    accept: str = ".csv,.txt"
    help: str = ""
    order: int = 50

    def format_for(self, options: dict) -> str:
        """How the preview reads the file (first rows, line count)."""
        return self.file_format(options) if callable(self.file_format) else self.file_format


_kinds: dict[str, ImportKind] = {}


def register_import_kind(kind: ImportKind) -> None:
    _kinds[kind.code] = kind


def import_kinds() -> list[ImportKind]:
    return sorted(_kinds.values(), key=lambda k: (k.order, k.label))


def import_kind(code: str) -> ImportKind | None:
    return _kinds.get(code)


def allowed(kind: ImportKind, role_kinds: set[str]) -> bool:
    """May someone holding `role_kinds` in the prefecture run this import?"""
    return "national_admin" in role_kinds or bool(role_kinds & set(kind.roles))


@contextmanager
def all_or_nothing(*, dry_run: bool) -> Iterator[None]:
    """One transaction around an import; with `dry_run`, rolled back at the end."""
    with transaction.atomic():
        yield
        if dry_run:
            transaction.set_rollback(True)


def run_import(
    kind: ImportKind,
    prefecture,
    data: bytes,
    *,
    filename: str = "",
    options: dict | None = None,
    actor=None,
    dry_run: bool = False,
) -> ImportSummary:
    """Run `kind` on `data`; CsvImportError when refused (nothing written either way)."""
    with all_or_nothing(dry_run=dry_run):
        return kind.run(prefecture, data, filename=filename, options=options or {}, actor=actor)


def option_choices(option: ImportOption, prefecture, access) -> Sequence[tuple[str, str]] | None:
    return None if option.choices is None else list(option.choices(prefecture, access))


# Who keeps the history of the imports run from the command line (the organisation app, in
# its `ready()`): `recorder(kind, prefecture, *, file, options, refusal, output)`, with
# `prefecture` a prefecture or its slug, `refusal` the command's CommandError (None when
# the import was done) and `output` what the command printed.
_command_recorders: list[Callable] = []


def register_command_recorder(recorder: Callable) -> None:
    if recorder not in _command_recorders:
        _command_recorders.append(recorder)


class _Tee:
    """The command's standard output, also kept (without a terminal's colours) to be
    recorded with the run."""

    def __init__(self, out):
        self._out = out
        self.text = io.StringIO()

    def write(self, text):
        self.text.write(re.sub(r"\x1b\[[0-9;]*m", "", text))
        return self._out.write(text)

    def __getattr__(self, name):
        return getattr(self._out, name)


class ImportCommand(BaseCommand):
    """Base of the `import_*` management commands: adds `--dry-run`, which runs the same
    service in a transaction rolled back at the end (the file is checked and the counts
    printed; nothing is written), as the "Imports" page's preview does.

    A command naming its page's kind (`history_kind`) is recorded in the "Imports" history,
    done or refused, like the page's imports (a `--dry-run` is not: nothing was imported)."""

    history_kind: str = ""

    def history_prefecture(self, options: dict):
        """The prefecture (or its slug) the import writes to; None: not recorded."""
        return options.get("prefecture")

    def history_options(self, options: dict) -> dict:
        """The page's options of this import, as the page records them (strings)."""
        kind = import_kind(self.history_kind)
        return {o.name: str(options.get(o.name) or "") for o in kind.options} if kind else {}

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="vérifie le fichier et affiche ce qui serait importé, sans rien enregistrer",
        )
        return parser

    def execute(self, *args, **options):
        dry_run = bool(options.get("dry_run"))
        recorded = bool(self.history_kind and _command_recorders and not dry_run)
        if recorded:
            tee = options["stdout"] = _Tee(options.get("stdout") or self.stdout._out)
        try:
            with all_or_nothing(dry_run=dry_run):
                output = super().execute(*args, **options)
        except CommandError as exc:
            if recorded:
                self._record(options, refusal=exc, output="")
            raise
        if dry_run:
            self.stdout.write("Essai (--dry-run) : rien n'a été enregistré.")
        if recorded:
            self._record(options, refusal=None, output=tee.text.getvalue())
        return output

    def _record(self, options: dict, *, refusal, output: str) -> None:
        kind = import_kind(self.history_kind)
        if kind is None:
            return
        for recorder in _command_recorders:
            try:
                with transaction.atomic():
                    recorder(
                        kind,
                        self.history_prefecture(options),
                        file=options.get("file"),
                        options=self.history_options(options),
                        refusal=refusal,
                        output=output,
                    )
            except Exception:  # noqa: BLE001 - the import's outcome stands; its record is lost
                logger.exception("import command not recorded", extra={"kind": kind.code})
