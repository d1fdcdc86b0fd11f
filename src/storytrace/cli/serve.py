"""``storytrace serve``: explore a store in the browser (a local web app)."""

from __future__ import annotations

import argparse

from rich.console import Console

from storytrace.cli._console import add_store_option, port, shown, store_path
from storytrace.errors import StorytraceError

NAME = "serve"
HELP = "explore a store in the browser (local web app)"
DESCRIPTION = (
    "Serve the stories, documents, side-by-side comparisons, 'where else has this text "
    "appeared?' and uploads of a store on a local address. Needs the 'web' extra. The app "
    "answers only to the host names it listens on (--allow-host adds names)."
)
EXAMPLES = """\
examples:
  storytrace serve --db out
  storytrace serve --db out --port 8080
  storytrace serve --db out --host 0.0.0.0 --allow-host news.example.org"""


def add_arguments(p: argparse.ArgumentParser) -> None:
    add_store_option(p)
    p.add_argument(
        "--host", default="127.0.0.1", help="address to listen on (default: %(default)s)"
    )
    p.add_argument("--port", type=port, default=8000, help="port (default: %(default)s)")
    p.add_argument(
        "--allow-host",
        action="append",
        default=[],
        metavar="NAME",
        help="a further host name the app answers to (repeatable; by default only the address "
        "it listens on, and localhost for a loopback address: other names are refused as DNS "
        "rebinding)",
    )


def run(args: argparse.Namespace, out: Console, err: Console) -> int:
    try:
        import uvicorn

        from storytrace.web.app import create_app
    except ImportError as exc:
        raise StorytraceError(
            f"the web app needs the 'web' extra: pip install 'storytrace[web]' ({exc.name} is missing)"
        ) from exc
    db = store_path(args)
    app = create_app(db, host=args.host, allowed_hosts=args.allow_host)
    out.print(
        f"storytrace serving {shown(str(args.db))} on http://{args.host}:{args.port}/ (Ctrl-C to stop)"
    )
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0
