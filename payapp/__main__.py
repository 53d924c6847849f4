"""Entry point: `payapp` (or `python -m payapp`) opens the app; subcommands do headless work.

Imports are kept inside functions so `payapp --version` and the window appear quickly."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from payapp.config import AppConfig


def _whole_number(text: str) -> int:
    """ASCII digits only (int() also reads "٨٠٨٠"); argparse turns the error into a usage message."""
    if not (text.isascii() and text.isdigit()) or len(text) > 9:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    from payapp import __version__

    p = argparse.ArgumentParser(prog="payapp", description="PayApp: card and eCheck payments on invoices, kept in "
                                "step with QuickBooks Online and Autotask. With no command it opens the app "
                                "(in demo mode when nothing is configured).")
    p.add_argument("--version", action="version", version=f"PayApp {__version__}")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--demo", action="store_true", default=None, help="open the demo company (sandbox connectors)")
    mode.add_argument("--no-demo", dest="demo", action="store_false", help="open the real company database")
    p.add_argument("--database", metavar="URL", help="database URL (default: PAYAPP_DATABASE_URL or SQLite)")
    p.add_argument("--data-dir", metavar="DIR", type=Path, help="data folder (default: PAYAPP_DATA_DIR or the "
                   "platform's user data folder)")
    p.add_argument("--language", default="", help="de, en, or pseudo (default: follow the system)")
    p.add_argument("--smoke-test", action="store_true", help="open the demo, render every tab offscreen, exit")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    db = sub.add_parser("db", help="database maintenance")
    db_sub = db.add_subparsers(dest="db_command", metavar="ACTION", required=True)
    db_sub.add_parser("upgrade", help="apply migrations to the configured database")
    demo = sub.add_parser("demo-data", help="generate demo data (bulk inserts) for trying out and benchmarks")
    demo.add_argument("--invoices", type=_whole_number, default=0, help="add N generated invoices (for benchmarks)")
    demo.add_argument("--database", dest="sub_database", metavar="URL", help="database URL to fill")
    shots = sub.add_parser("screenshots", help="render every tab and dialog of the demo to PNG files")
    shots.add_argument("directory", type=Path)
    shots.add_argument("--language", dest="sub_language", default="", help="de, en or pseudo")
    sandbox = sub.add_parser(
        "sandbox", help="serve a sandbox (gateway, autotask, quickbooks) on 127.0.0.1",
        description="Serve one sandbox on 127.0.0.1 until Ctrl+C. On start it prints the address it serves and, "
                    "for the gateway, the security key (and tokenization key) it accepts: point any NMI client at "
                    "that address (POST /api/transact.php, /api/query.php) with that key. `--which paypal` "
                    "prints the API username, password and signature its NVP API (POST /nvp) accepts; "
                    "--which payengine imitates Concardis PayEngine's REST API (/v1) and prints its merchant id "
                    "and API key.",
        epilog="Keys: the gateway sandbox accepts its own made-up demo keys unless --security-key / "
               "--tokenization-key or the environment variables PAYAPP_SANDBOX_SECURITY_KEY / "
               "PAYAPP_SANDBOX_TOKENIZATION_KEY choose others. Never use a real gateway's keys here.")
    sandbox.add_argument("--which", default="gateway",
                         choices=("gateway", "payengine", "autotask", "quickbooks", "paypal", "qbwc"),
                         help="which service to imitate (default: gateway); qbwc runs a Web Connector with a "
                              "QuickBooks Desktop sandbox company against --url")
    sandbox.add_argument("--url", default="http://127.0.0.1:8471/qbwc",
                         help="qbwc: the QBWC service the Web Connector polls (default: %(default)s)")
    sandbox.add_argument("--user", default="payapp", help="qbwc: the Web Connector's user name (default: payapp); "
                         "the password comes from PAYAPP_QBWC_PASSWORD or is asked for")
    sandbox.add_argument("--state", type=Path, default=None,
                         help="qbwc: keep the QuickBooks Desktop sandbox company in this JSON file")
    sandbox.add_argument("--port", type=_whole_number, default=8765, help="TCP port on 127.0.0.1 (default: 8765)")
    sandbox.add_argument("--security-key", metavar="KEY", default=None,
                         help="security key (private key) the gateway sandbox accepts (default: "
                              "PAYAPP_SANDBOX_SECURITY_KEY, else the demo key printed on start)")
    sandbox.add_argument("--tokenization-key", metavar="KEY", default=None,
                         help="tokenization key (public, Collect.js) the gateway sandbox names (default: "
                              "PAYAPP_SANDBOX_TOKENIZATION_KEY, else the demo key printed on start)")
    qbwc = sub.add_parser("qbwc", help="serve the QuickBooks Web Connector service (QuickBooks Desktop)",
                          description="Serve PayApp's QBWC SOAP service at /qbwc until Ctrl+C; register it in the "
                                      "Web Connector with the .qwc file from Admin › Connections. "
                                      "docs/quickbooks-desktop.md.")
    qbwc.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    qbwc.add_argument("--port", type=_whole_number, default=8471, help="TCP port (default: 8471)")
    qbwc.add_argument("--database", dest="qbwc_database", metavar="URL",
                      help="database URL (default: PAYAPP_DATABASE_URL, else the configured company)")
    sub.add_parser("sync", help="run one sync with Autotask and QuickBooks, headless (for a scheduled task)")
    portal = sub.add_parser(
        "portal", help="serve the client portal (clients pay invoices from payment links)",
        description="Serve the client portal with uvicorn until Ctrl+C and print the address to open. With nothing "
                    "configured it serves the demo company (its database and sandboxes, as the desktop demo). "
                    "docs/portal.md: running it behind a TLS reverse proxy, several workers, the secrets file.")
    portal.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    portal.add_argument("--port", type=_whole_number, default=8470, help="TCP port (default: 8470)")
    portal.add_argument("--database", dest="portal_database", metavar="URL",
                        help="database URL (default: PAYAPP_DATABASE_URL, else the demo company)")
    portal.add_argument("--https", action="store_true",
                        help="the portal is reached over https (a TLS proxy in front): Secure cookies and HSTS")
    portal.add_argument("--trusted-proxy", action="append", default=[], metavar="ADDRESS",
                        help="a reverse proxy whose X-Forwarded-For/-Proto are believed (repeatable)")
    portal.add_argument("--workers", type=_whole_number, default=1,
                        help="worker processes on the one port (default: 1; not for the demo)")
    portal.add_argument("--public-url", default="", metavar="URL",
                        help="the address clients open (default: http://HOST:PORT); links start with it")
    portal.add_argument("--qbwc", action="store_true",
                        help="also serve the QuickBooks Web Connector service at /qbwc (QuickBooks Desktop)")
    portal_sub = portal.add_subparsers(dest="portal_command", metavar="ACTION")
    link = portal_sub.add_parser("link", help="print a new payment link to an invoice")
    link.add_argument("invoice_number", metavar="INVOICE_NUMBER")
    return p


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    from payapp.config import load_config

    if args.command == "demo-data":
        return _demo_data(args)
    if args.command == "screenshots":
        from payapp.screenshots import main as screenshots_main

        return screenshots_main(args.directory, language=args.sub_language or args.language)
    if args.command == "sandbox" and args.which == "qbwc":
        return _web_connector(args)
    if args.command == "sandbox":
        from payapp.sandbox.serve import resolve_keys, serve

        serve(args.which, args.port, keys=resolve_keys(args.security_key, args.tokenization_key))
        return 0
    demo = True if args.smoke_test else args.demo
    config = load_config(demo=demo, database_url=args.database, data_dir=args.data_dir, language=args.language)
    if args.command == "db":
        from payapp.migrations import current_revision, upgrade

        upgrade(config.database_url)
        print(f"Database is at revision {current_revision(config.database_url)}: {config.database_url}")
        return 0
    if args.command == "sync":
        return _sync(config)
    if args.command == "portal":
        return _portal(args)
    if args.command == "qbwc":
        import asyncio

        from payapp.app import serve_qbwc

        if args.qbwc_database:
            config = load_config(demo=False, database_url=args.qbwc_database, data_dir=args.data_dir)
        try:
            return asyncio.run(serve_qbwc(config, host=args.host, port=args.port))
        except KeyboardInterrupt:
            return 0
    if args.smoke_test:     # renders offscreen, as its help says: it must run on a machine with no display
        import os

        os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from payapp.gui import run_gui

    return run_gui(config, smoke_test=args.smoke_test)


def _demo_data(args: argparse.Namespace) -> int:
    import time

    from payapp.config import load_config
    from payapp.migrations import upgrade
    from payapp.services.demo_data import generate_demo_company, generate_invoices

    url = args.sub_database or load_config(demo=True).database_url
    if url.startswith("sqlite:///"):
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    upgrade(url)
    if args.invoices:
        generate_invoices(url, args.invoices)
        print(f"Added {args.invoices} invoices in {time.perf_counter() - started:.1f} s")
    else:
        summary = generate_demo_company(url)
        print(f"Demo company: {summary.companies} companies, {summary.invoices} invoices, "
              f"{summary.payments} payments")
    return 0


def _portal(args: argparse.Namespace) -> int:
    import asyncio

    from payapp.config import load_config
    from payapp.domain.errors import PayAppError

    url = args.portal_database or args.database
    config = load_config(demo=args.demo if args.demo is not None else (False if url else None), database_url=url,
                         data_dir=args.data_dir)
    try:
        if args.portal_command == "link":
            from payapp.app import portal_link

            print(asyncio.run(portal_link(config, args.invoice_number, public_url=args.public_url)))
            return 0
        from payapp.app import run_portal_workers, run_server, serve_portal

        if args.workers > 1:
            return run_portal_workers(config, host=args.host, port=args.port, workers=args.workers, https=args.https,
                                      trusted_proxies=tuple(args.trusted_proxy), public_url=args.public_url,
                                      qbwc=args.qbwc)
        return run_server(serve_portal(config, host=args.host, port=args.port, https=args.https,
                                       trusted_proxies=tuple(args.trusted_proxy), public_url=args.public_url,
                                       qbwc=args.qbwc))
    except PayAppError as exc:
        print(exc.user_message, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 0


def _web_connector(args: argparse.Namespace) -> int:
    """`payapp sandbox --which qbwc`: sessions of the sandbox's Web Connector until the service has nothing to do."""
    import asyncio
    import getpass
    import os

    from payapp.sandbox.demo_keys import DEMO_QBWC_PASSWORD
    from payapp.sandbox.qbdesktop import run_against

    # the demo's service (`payapp --demo qbwc`) accepts the demo password; anything else is asked for
    password = os.environ.get("PAYAPP_QBWC_PASSWORD") or (
        DEMO_QBWC_PASSWORD if args.demo else getpass.getpass("Web Connector password: "))
    print(f"Web Connector (sandbox) polling {args.url} as {args.user}")
    logs = asyncio.run(run_against(args.url, user_name=args.user, password=password, state_path=args.state))
    for n, log in enumerate(logs, 1):
        outcome = log.failed or log.close_message or log.last_error or log.auth
        print(f"  session {n}: authenticate → {log.auth or 'ok'}, {log.requests} request(s); {outcome}")
    return 1 if any(log.failed or log.auth == "nvu" for log in logs) else 0


def _sync(config: AppConfig) -> int:
    import asyncio

    from payapp.app import run_headless_sync

    return asyncio.run(run_headless_sync(config))


if __name__ == "__main__":
    sys.exit(main())
