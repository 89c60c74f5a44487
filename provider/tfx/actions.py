"""Actions (protocol 6.10, Terraform 1.14+): what an action implements, and its run as a stream of events.

An action is a class the provider lists in `get_actions()` (built by `new_action(klass)`), with the
classmethods `get_name()` and `get_schema()` (a tf `Schema`: its attributes are the action's `config`
block) and three methods, each given an `ActionContext` and the configuration (a dict, `Unknown` where
Terraform does not know a value yet):

- `validate(ctx, config)`: ValidateActionConfig (`terraform validate`, and before every plan);
- `plan(ctx, config)`: PlanAction, before Terraform shows the plan that would run the action;
- `invoke(ctx, config)`: InvokeAction, the action itself. `ctx.progress("...")` sends a line that
  Terraform prints at once ("Action action.x.y: ..."); diagnostics added to `ctx.diagnostics` end it.

Terraform before 1.14 knows no actions: it never calls these RPCs and skips the schema field that lists
them (`action_schemas`), so older Terraform sees the provider exactly as it was. Stdlib only at the top:
the servicer imports this when it serves.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any


def _ignore(message: str) -> None:
    pass


@dataclass
class ActionContext:
    """What an action's validate, plan and invoke see."""

    diagnostics: Any  # tf.utils.Diagnostics
    type_name: str
    progress: Callable[[str], None] = field(default=_ignore)  # invoke only: a line Terraform prints now


_DONE = object()


def streamed(work: Callable[[Callable[[str], None]], None]) -> Iterator[str]:
    """Run `work(progress)` on a thread of its own and yield each message it passes to `progress` as soon as
    it does (a gRPC stream's handler can only yield). An exception in `work` is raised here, after the
    messages sent before it."""
    messages: queue.Queue[object] = queue.Queue()
    failure: list[BaseException] = []

    def run() -> None:
        try:
            work(messages.put)
        except BaseException as exc:  # handed to the caller's thread, which reports it
            failure.append(exc)
        finally:
            messages.put(_DONE)

    threading.Thread(target=run, name="action-invoke", daemon=True).start()
    while (message := messages.get()) is not _DONE:
        yield str(message)
    if failure:
        raise failure[0]
