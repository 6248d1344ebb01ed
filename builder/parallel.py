"""Run a function over a list in forked processes, one share of the list each.

Forked children start with a copy of the parent's memory: the validated project, the compiled
templates and the Markdown already converted are there without being sent (nothing is pickled
on the way in); only each share's result comes back. Where fork is not available, or other
threads run here (`mkdocs serve`'s server: a child could start with a lock one of them held, and
wait for it forever), the function simply runs in this process.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

_parent: int | None = None
"""In a child, the process that forked it."""


def available() -> int:
    """Processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def map_shares(function: Callable[[Sequence[Item]], Result], items: Sequence[Item], processes: int) -> list[Result]:
    """[function(share) for each share of `items`], each share in a process of its own.

    Items are dealt out in turn (item k to share k % processes), so that a share is not all of
    one kind of page. An exception in a share is raised here, once every share has stopped.
    This process only waits: running a share here measured no faster (after a fork, the parent's
    pages are copied on write as much as a child's)."""
    with in_background(function, items, processes) as results:
        return results()


@contextmanager
def in_background(
    function: Callable[[Sequence[Item]], Result], items: Sequence[Item], processes: int
) -> Iterator[Callable[[], list[Result]]]:
    """map_shares, while this process goes on with other work: the shares start when the block
    does, and the block's value waits for them and returns their results. Shares still running
    when the block ends without waiting (an error) are stopped. Without several processes, the
    function runs here, when its results are asked for."""
    if processes < 2 or len(items) < 2 or not _can_fork():
        yield lambda: [function(items)]
        return
    children = _fork(function, items, processes)
    try:
        yield lambda: _wait(children)
    finally:
        for child, receiver in children:
            if child.is_alive():
                child.kill()
            child.join()
            receiver.close()


def _fork(function: Callable, items: Sequence, processes: int) -> list:
    context = multiprocessing.get_context("fork")
    children = []
    # What the children inherit is never collected there: a collection would touch every object
    # and so copy the whole memory into each child (Python's documentation of gc.freeze).
    gc.freeze()
    try:
        for share in (items[k::processes] for k in range(processes)):
            receiver, sender = context.Pipe(duplex=False)
            # With fork, the arguments are not pickled: the child finds them in its copy of memory.
            child = context.Process(target=_run, args=(function, share, sender, os.getpid()), daemon=True)
            child.start()
            sender.close()
            children.append((child, receiver))
    finally:
        gc.unfreeze()  # here; each child keeps its own frozen copy
    return children


def _wait(children: list) -> list:
    results, failure = [], None
    for child, receiver in children:
        try:
            succeeded, value = receiver.recv()
        except EOFError:  # the child died without a word (killed, out of memory)
            child.join()
            succeeded, value = False, ChildProcessError(f"a builder process stopped (exit code {child.exitcode})")
        child.join()
        if succeeded:
            results.append(value)
        else:
            failure = failure or value
    if failure:
        raise failure
    return results


def _can_fork() -> bool:
    return "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1


def orphaned() -> bool:
    """Whether this is a child whose parent is gone (killed): its work will never be used."""
    return _parent is not None and os.getppid() != _parent


def _run(function: Callable, share: Sequence, sender, parent: int) -> None:
    global _parent
    _parent = parent
    try:
        answer = (True, function(share))
    except BaseException as error:  # every failure goes back to the parent, which raises it
        answer = (False, error)
    try:
        sender.send(answer)
    except BrokenPipeError:  # orphaned: nobody is listening any more
        pass
    sender.close()
