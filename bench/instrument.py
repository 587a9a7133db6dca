"""The in-process benchmarks' one hook into a run of the War Room runner's executor: code of the
benchmark's own that runs between the exec of the integration and its main(), and around main().

The runner's `execute_integration` execs CommonServerPython and the integration in a namespace named
`builtins`, so the integration's entry idiom calls main() inside the exec, and nothing of the caller's
can run in between. The benchmarks need that moment: to time main() alone (not the exec, as the
figures always have), to set a constant such as ACTION_CONCURRENCY for the sequential side, to trace
memory around main() only, to carry fetch's last run from one run to the next, or to reach the
integration's functions for a step-by-step profile. So `instrumented()` adds one line just above the
entry idiom that wraps main(); the wrapper hands the namespace and the real main() to the hook set with
`hooked()`, or simply calls main() when none is set. Everything else is the runner's.
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # a fresh-process benchmark imports this module alone, before it measures
    from warroom.integration import Integration

# hook(namespace, main): run by the wrapped main() in place of main(); it calls main() itself, or not.
MainHook = Callable[[dict[str, Any], Callable[[], None]], None]

ENTRY_IDIOM = re.compile(r"^if __name__ in \(.*\bbuiltins\b.*\):[ \t]*$", re.MULTILINE)
WRAP_LINE = "from bench.instrument import around_main as _bench_around_main; main = _bench_around_main(main, globals())"

_hook: MainHook | None = None


class NoEntryIdiom(RuntimeError):
    """The integration has no `if __name__ in (..., "builtins"):` line to put the hook above."""


def instrumented(integration: Integration) -> Integration:
    """The same integration, with main() wrapped just before the entry idiom calls it."""
    return dataclasses.replace(
        integration, code=with_main_wrapped(integration.code, str(integration.code_path))
    )


def with_main_wrapped(code: str, origin: str = "the integration") -> str:
    """`code` with the wrapping line above its entry idiom, in place of the blank line there when there
    is one, so every line number in a traceback stays the file's own."""
    match = ENTRY_IDIOM.search(code)
    if match is None:
        raise NoEntryIdiom(f"{origin}: no entry idiom (if __name__ in (..., 'builtins'):)")
    before = code[: match.start()]
    if before.endswith("\n\n"):
        return before[:-1] + WRAP_LINE + "\n" + code[match.start() :]
    return before + WRAP_LINE + "\n" + code[match.start() :]


def around_main(main: Callable[[], None], namespace: dict[str, Any]) -> Callable[[], None]:
    """What the added line calls: main(), or the hook in force with the namespace and main()."""

    def wrapped() -> None:
        hook = _hook
        if hook is None:
            main()
        else:
            hook(namespace, main)

    return wrapped


@contextlib.contextmanager
def hooked(hook: MainHook | None) -> Iterator[None]:
    """Runs of the instrumented integration inside this block call `hook` instead of main()."""
    global _hook
    saved, _hook = _hook, hook
    try:
        yield
    finally:
        _hook = saved
