"""`tastebud chat` (the Textual UI, or a plain loop) and `tastebud ask` (one turn).

A turn runs in a worker thread while the main thread waits, so Ctrl-C lands in
the main thread at once and cancels the turn (`ChatService.cancel` cuts the
HTTP request; no tool runs after), instead of waiting out a hung server.
"""

from __future__ import annotations

import argparse
import gc
import sys
import threading
from collections.abc import Callable
from typing import Any

from memory.settings import Settings
from tui.text_safety import clean, dumps


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from tui.factory import build_chat, build_tastebud

    chat = build_chat(settings, build_tastebud(settings))
    if args.new:
        chat.new_thread()
    try:
        result = run_turn(chat, args.text)
    finally:
        chat.close()
        gc.freeze()  # see _plain_loop
    if args.json:
        print(dumps(result.to_dict(), indent=2))
    else:
        print(clean(result.error or result.reply))
    return 130 if result.cancelled else 1 if result.error else 0


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    if args.plain or not sys.stdin.isatty() or not sys.stdout.isatty():
        return _plain_loop(settings, resume=args.resume)
    from tui.app import TastebudApp

    def connect(progress):  # type: ignore[no-untyped-def]
        # The agent stack takes seconds to import; doing it here, in the App's startup
        # worker, puts the prompt on screen first (launch-to-prompt stays under 2 s).
        from tui.factory import build_app_parts, load_embedder_in_background

        chat, prepare = build_app_parts(settings, resume=args.resume)
        if prepare is not None:
            prepare(progress)
        load_embedder_in_background(chat.service)
        return chat

    app = TastebudApp(settings=settings, chat=None, startup=connect)
    app.run()
    if app.chat is not None:  # quitting cancelled any turn; now close its HTTP client too
        app.chat.close()
    gc.freeze()  # see _plain_loop
    return 0


def _plain_loop(settings: Settings, *, resume: bool) -> int:
    from tui.cli_catalog import progress_bar
    from tui.factory import build_chat, build_tastebud, load_embedder_in_background

    svc = build_tastebud(settings, progress=progress_bar("first start: demo catalog"))
    load_embedder_in_background(svc)
    chat = build_chat(settings, svc)
    if not resume:
        chat.new_thread()
    print(clean(f"Tastebud — {svc.catalog_name} catalog, {chat.backend_label} model, user "
                f"{chat.user_id}. Ask for films; 'quit' to leave."))
    try:
        return _loop(chat)
    finally:
        chat.close()
        gc.freeze()  # exit would otherwise spend seconds (5-7 s measured) collecting a dying heap


def _loop(chat) -> int:  # type: ignore[no-untyped-def]
    while True:
        try:
            text = input("you> ").strip()
        except EOFError:
            print()
            return 0
        if text.lower() in ("quit", "exit", ":q"):
            return 0
        if not text:
            continue
        streamed: list[str] = []

        def show(token: str, streamed: list[str] = streamed) -> None:
            streamed.append(token)
            print(clean(token), end="", flush=True)

        result = run_turn(chat, text, on_token=show)
        for notice in result.notices:
            print(clean(f"\n[note] {notice}"))
        if result.error:
            print(clean(f"\n[{'cancelled' if result.cancelled else 'error'}] {result.error}"))
        else:
            print("" if streamed else clean(result.reply))


def run_turn(chat: Any, text: str, *, on_token: Callable[[str], None] | None = None) -> Any:
    """`chat.turn(text)` in a worker thread; Ctrl-C cancels it and returns its (cancelled) result.

    The wait is on an Event, not Thread.join: a join interrupted by Ctrl-C can return early
    on Python 3.11, which would close the chat under the still-running turn.
    """
    done: list[Any] = []
    failed: list[BaseException] = []
    finished = threading.Event()

    def work() -> None:
        try:
            done.append(chat.turn(text, on_token=on_token))
        except BaseException as exc:  # handed to the caller below, raised there as it was
            failed.append(exc)
        finally:
            finished.set()

    threading.Thread(target=work, name="tastebud-turn", daemon=True).start()
    try:
        while not finished.wait(0.1):
            pass
    except KeyboardInterrupt:
        chat.cancel()
        finished.wait(5.0)
        if not done and not failed:
            raise
    if failed:
        raise failed[0]
    return done[0]
