"""``bot users``: caseworker, editor and admin accounts of the web app."""

from __future__ import annotations

import argparse
import getpass
import os
import sys

from bot.config import Settings
from bot.store.accounts import ROLES
from bot.store.audit_source import set_address


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "users",
        help="manage the web app's accounts",
        description="Create and manage the accounts that sign in to the caseworkers' web app. "
        "Roles: caseworker (chat, inbox, feedback), editor (also re-index and knowledge "
        "check), admin (also users and the audit log). The password is asked for at the "
        "prompt (or read from BOT_NEW_PASSWORD, for scripts).",
    )
    actions = p.add_subparsers(dest="action", metavar="ACTION")
    actions.required = True
    add = actions.add_parser("add", help="create an account (asks for the password)")
    add.add_argument("name")
    add.add_argument("--role", choices=ROLES, default="caseworker",
                     help="caseworker (default), editor or admin")
    actions.add_parser("list", help="list the accounts")
    pw = actions.add_parser("password", help="set a new password (signs the user out)")
    pw.add_argument("name")
    role = actions.add_parser("role", help="change an account's role")
    role.add_argument("name")
    role.add_argument("role", choices=ROLES)
    for name, text in (("unlock", "unlock after too many failed sign-ins"),
                       ("disable", "stop an account from signing in"),
                       ("enable", "allow a disabled account again")):
        actions.add_parser(name, help=text).add_argument("name")
    p.set_defaults(func=run)


def _login_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no name for this uid (a container)
        return str(os.getuid())


def _password(prompt_for: str) -> str:
    given = os.environ.get("BOT_NEW_PASSWORD")
    if given:
        return given
    if not sys.stdin.isatty():
        raise SystemExit("error: no terminal to ask the password on; set BOT_NEW_PASSWORD")
    first = getpass.getpass(f"Password for {prompt_for}: ")
    if getpass.getpass("Again: ") != first:
        raise SystemExit("error: the two passwords differ")
    return first


def run(args: argparse.Namespace, settings: Settings) -> int:
    from bot.store import Database
    from bot.store.accounts import AccountError, Accounts

    db = Database(settings.database)
    accounts = Accounts(db)
    set_address(f"cli:{_login_name()}")  # the audit log says who ran it, and where

    def audit(action: str, name: str) -> None:
        accounts.audit(None, action, f"user:{name}"[:64], name="(command line)")

    try:
        if args.action == "add":
            account = accounts.add(args.name, args.role, _password(args.name))
            audit("user added", account.name)
            print(f"added {account.name} ({account.role})")
        elif args.action == "list":
            users = accounts.users()
            if not users:
                print("no accounts yet: bot users add NAME --role admin")
            for u in users:
                state = "active" if u.active else "disabled"
                print(f"{u.name}\t{u.role}\t{state}")
        elif args.action == "password":
            accounts.set_password(args.name, _password(args.name))
            audit("password changed", args.name)
            print(f"password of {args.name} changed; their sessions were ended")
        elif args.action == "role":
            accounts.set_role(args.name, args.role)
            audit(f"role set: {args.role}", args.name)
            print(f"{args.name} is now {args.role}")
        elif args.action == "unlock":
            accounts.unlock(args.name)
            audit("user unlocked", args.name)
            print(f"{args.name} unlocked")
        else:
            accounts.set_active(args.name, args.action == "enable")
            audit(f"user {args.action}d", args.name)
            print(f"{args.name} {args.action}d")
    except AccountError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    finally:
        db.close()
    return 0
