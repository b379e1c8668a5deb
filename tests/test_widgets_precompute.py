"""precompute.Grid: every planned key computed once on the worker, requests first, errors kept
for the reader, listeners told, grids shared by options; GridTool: a move draws its value once."""
import gc
import re
import threading

import pytest

from crossmargin.errors import InvalidInput
from crossmargin.widgets.precompute import Grid, GridTool, shared


def test_the_worker_fills_every_planned_key_once():
    calls = []
    grid = Grid(lambda k: calls.append(k) or k * k, [3, 1, 2])
    assert grid.progress == (0, 3) and not grid.complete and not grid.ready(1)
    with pytest.raises(KeyError):
        grid.get(1)
    assert grid.start().wait(timeout=30)
    assert calls == [3, 1, 2]                           # in the planned order
    assert [grid.get(k) for k in (1, 2, 3)] == [1, 4, 9]
    assert grid.progress == (3, 3) and grid.complete
    assert set(grid.seconds) == {1, 2, 3} and all(s >= 0 for s in grid.seconds.values())
    assert grid.compute(2) == 4 and calls == [3, 1, 2]   # ready: not computed again


def gated(keys):
    """A grid whose compute of key 0 waits for ``gate``; ``busy`` is set once it started."""
    gate, busy, calls = threading.Event(), threading.Event(), []

    def compute(key):
        if key == 0:
            busy.set()
            assert gate.wait(30)
        calls.append(key)
        return key

    return Grid(compute, keys), gate, busy, calls


def test_a_request_jumps_the_queue_the_latest_first():
    grid, gate, busy, calls = gated(range(6))
    grid.start()
    assert busy.wait(30)                                # the worker holds key 0
    grid.request(4)
    grid.request(99)                                    # not planned: computed all the same
    assert not grid.wait(timeout=0.05)                  # key 0 is still in hand
    gate.set()
    assert grid.wait(timeout=30) and grid.wait([99], timeout=30)
    assert calls[:3] == [0, 99, 4] and sorted(calls) == [0, 1, 2, 3, 4, 5, 99]


def test_waiting_for_given_keys_computes_them_first():
    grid, gate, busy, calls = gated([0, 1, 2, 3, 4])
    grid.start()
    assert busy.wait(30)
    assert not grid.wait([4, 3], timeout=0.05)          # key 0 is still in hand
    gate.set()
    assert grid.wait([4, 3], timeout=30)
    assert calls[:3] == [0, 4, 3]


def test_compute_in_the_calling_thread_waits_for_the_worker_on_the_same_key():
    grid, gate, busy, calls = gated([0, 1])
    grid.start()
    assert busy.wait(30)
    got = []
    caller = threading.Thread(target=lambda: got.append(grid.compute(0)))
    caller.start()
    gate.set()
    caller.join(30)
    assert got == [0] and calls.count(0) == 1           # once, by the worker
    assert grid.compute(7) == 7 and grid.ready(7)       # off the plan: computed here


def test_an_error_is_kept_for_the_reader_and_the_worker_goes_on():
    def compute(key):
        if key == 2:
            raise InvalidInput("key must not be 2 (got 2)")
        return key

    grid = Grid(compute, [1, 2, 3]).start()
    assert grid.wait(timeout=30) and grid.complete
    assert grid.get(3) == 3
    with pytest.raises(InvalidInput, match="key must not be 2"):
        grid.get(2)
    with pytest.raises(InvalidInput, match="key must not be 2"):
        grid.compute(2)


class Listener:
    def __init__(self):
        self.heard = []

    def hear(self, key):
        self.heard.append((key, threading.current_thread().name))


def test_listeners_hear_every_value_on_the_thread_that_computed_it_and_are_held_weakly():
    grid = Grid(lambda k: k, [1, 2])
    listener, gone = Listener(), Listener()
    grid.subscribe(listener.hear)
    grid.subscribe(gone.hear)
    del gone
    gc.collect()
    assert grid.compute(5) == 5
    assert listener.heard == [(5, threading.current_thread().name)]
    assert grid.start().wait(timeout=30)
    assert sorted(listener.heard[1:]) == [(1, "crossmargin-grid"), (2, "crossmargin-grid")]


def test_a_listener_that_raises_on_the_worker_is_reported_and_the_grid_still_fills(capsys):
    class Broken:
        def hear(self, key):
            raise ZeroDivisionError(f"listener failed on {key}")

    broken = Broken()
    grid = Grid(lambda k: k, [1, 2, 3])
    grid.subscribe(broken.hear)
    assert grid.start().wait(timeout=30) and grid.complete
    assert "listener failed on 1" in capsys.readouterr().err


def test_stop_ends_the_worker_after_the_value_in_hand_until_asked_again():
    grid, gate, busy, calls = gated(range(5))
    grid.start()
    assert busy.wait(30)
    stopper = threading.Thread(target=grid.stop)
    stopper.start()
    gate.set()
    stopper.join(30)
    assert calls == [0] and grid.progress == (1, 5)
    assert grid.wait(timeout=30) and sorted(calls) == [0, 1, 2, 3, 4]   # waiting resumes it


def test_shared_grids_are_one_per_options_and_none_is_private():
    first = shared(("test", 1), lambda k: k, [1])
    assert shared(("test", 1), lambda k: -k, [2]) is first and first.keys == (1,)
    assert shared(("test", 2), lambda k: k, [1]) is not first
    assert shared(None, lambda k: k, [1]) is not shared(None, lambda k: k, [1])


class Status:
    value = ""


class Tool(GridTool):
    """A GridTool that records what it draws: (key, note) with the time in a note as "…",
    or ("computing", key)."""

    def __init__(self, grid, background, setting=0):
        self.setting, self.drawn, self.status = setting, [], Status()
        self._watch(grid, background)
        self._select(now=True)
        self._follow()

    def _key(self):
        return self.setting

    def _show(self, key, note=""):
        self.precomputed.get(key)
        self._shown, self._note = key, note
        self.drawn.append((key, re.sub(r"\d+ ms$", "… ms", note)))

    def _computing(self, key):
        self.drawn.append(("computing", key))

    def _show_status(self, note):
        pass

    def move(self, setting):
        self.setting = setting
        self._select()


def test_a_tool_draws_a_value_it_computes_once_with_its_note():
    grid = Grid(lambda k: k, [0, 1, 2])
    tool, other = Tool(grid, background=False), Tool(grid, background=False)
    other.move(2)
    assert tool.drawn == [(0, "computed in … ms")]
    assert other.drawn == [(0, "cached"), (2, "computed in … ms")]
    tool.move(1)                                        # its own listener hears 1 and skips it
    assert tool.drawn[1:] == [(1, "computed in … ms")]
    tool.move(2)
    assert tool.drawn[2:] == [(2, "cached")] and tool.status.value == GridTool.COMPUTING


def test_a_tool_in_the_background_says_computing_then_draws_what_lands():
    grid, gate, busy, _ = gated([0, 1, 2])
    tool = Tool(grid, background=True, setting=2)       # setting 2: computed here
    assert busy.wait(30)                                # the worker holds key 0
    tool.move(1)
    assert tool.drawn == [(2, "computed in … ms"), ("computing", 1)] and tool._shown is None
    gate.set()
    assert tool.wait(timeout=30) and tool.drawn[2:] == [(1, "")]
