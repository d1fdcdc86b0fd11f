"""``storytrace config show``: every setting and its value, as a run would use them."""

from __future__ import annotations

import argparse
import json

from rich.console import Console

from storytrace.cli._console import add_store_option, shown, store_path
from storytrace.cli.settings import add_config_options, config_from_args
from storytrace.errors import StoreError

NAME = "config"
HELP = "show every setting and its value (the defaults, the options given, or a store's)"
DESCRIPTION = (
    "Print the effective configuration, one dotted name per line: the defaults with the "
    "given options applied, or, with --db, the configuration a store was built with (a "
    "store keeps the settings of its first run and refuses others). Any name listed can be "
    "given to 'analyze --set NAME=VALUE'."
)
EXAMPLES = """\
examples:
  storytrace config show
  storytrace config show --threshold 0.6 --set provenance.time_weight=1.5
  storytrace config show --db out --format json"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument("action", choices=("show",), help="what to do: show")
    add_store_option(p)
    add_config_options(p)
    p.add_argument("--format", choices=("text", "json"), default="text")


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    from storytrace.store import Store

    config = config_from_args(args)
    if args.db:
        db = store_path(args)
        if not db.is_file():
            raise StoreError(f"{db}: no such store")
        if args.settings or any(
            getattr(args, o) is not None for o in ("threshold", "shingle_size", "encoder")
        ):
            raise StoreError("--db shows the store's own settings; drop the other options")
        with Store(db) as store:
            config = store.config() or config
    settings = config.settings()
    if args.format == "json":
        print(json.dumps(settings, indent=1))
        return 0
    width = max(len(name) for name in settings)
    for name, value in settings.items():
        out.print(f"{name:<{width}}  {shown(json.dumps(value))}", highlight=False)
    return 0
