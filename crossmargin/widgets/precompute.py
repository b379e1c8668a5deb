"""A grid of a tool's settings, filled in the background, so that a slider move is a lookup.

HedgeLab and ReserveTool run a Monte Carlo per setting: their whole grid takes tens of
seconds, far more than the 1 s a tool may take to build. A :class:`Grid` holds one value
per setting (``compute(key)``); the tool computes the setting it opens on at once, then
:meth:`Grid.start` fills the planned keys on one daemon thread, in the order given (nearest
first). A setting not yet computed jumps the queue (:meth:`Grid.request`) while the tool
shows "computing…"; listeners hear of every value as it lands. :func:`shared` hands every
tool built with the same options the same grid, so running a cell again costs nothing.
:class:`GridTool` is what such a tool does with its grid when a control moves.

>>> grid = Grid(lambda key: key * key, [1, 2, 3])
>>> grid.start().wait(timeout=10)
True
>>> grid.get(3), grid.progress
(9, (3, 3))
"""
import atexit
import threading
import time
import traceback
import weakref

from ..errors import CrossMarginError

__all__ = ["Grid", "GridTool", "shared"]


class _Failed:
    """A compute that raised: the error is raised again by :meth:`Grid.get`."""

    def __init__(self, error):
        self.error = error


class Grid:
    """``{key: compute(key)}`` for the planned ``keys`` (any other key on request), each
    computed once, in the calling thread (:meth:`compute`) or on the worker thread.

    ``seconds``: how long each value took to compute. A compute that raises stores the
    error; :meth:`get` raises it again (a tool shows a refusal, never a traceback).
    """

    def __init__(self, compute, keys):
        self._compute = compute
        self.keys = tuple(keys)
        self._planned = set(self.keys)
        self._values = {}
        self.seconds = {}
        self._wanted = []                 # requested keys, the most recent last
        self._busy = None                 # the key the worker is computing
        self._next = 0                    # the first planned key not yet looked at
        self._cond = threading.Condition()
        self._thread = None
        self._stopping = False
        self._listeners = []
        _ALL.add(self)

    # -- reading -------------------------------------------------------------------------
    def ready(self, key):
        """Whether ``key`` has its value (or its error)."""
        return key in self._values

    def get(self, key):
        """The value of ``key`` (KeyError: not computed yet; a stored error is raised)."""
        value = self._values[key]
        if isinstance(value, _Failed):
            raise value.error
        return value

    @property
    def progress(self):
        """(planned keys computed, planned keys)."""
        with self._cond:
            return sum(k in self._values for k in self.keys), len(self.keys)

    @property
    def complete(self):
        """Whether every planned key has its value."""
        done, total = self.progress
        return done == total

    # -- computing -----------------------------------------------------------------------
    def compute(self, key):
        """The value of ``key``, computed now in this thread unless it is ready (or the
        worker is computing it: then wait for it)."""
        with self._cond:
            while self._busy == key and key not in self._values:
                self._cond.wait()
            if key in self._values:
                return self.get(key)
        self._store(key, self._run(key))
        return self.get(key)

    def request(self, key):
        """Compute ``key`` next on the worker (started if idle); the latest request first."""
        with self._cond:
            self._stopping = False
            if key not in self._values:
                if key in self._wanted:
                    self._wanted.remove(key)
                self._wanted.append(key)
            self._ensure_worker()
        return self

    def start(self):
        """Fill the planned keys on the worker thread (a daemon: it never keeps Python
        from exiting). Returns the grid."""
        with self._cond:
            self._stopping = False
            self._ensure_worker()
        return self

    def wait(self, keys=None, timeout=None):
        """Block until every key of ``keys`` is ready (default: the planned ones, in their
        order; given keys go on the worker ahead of the planned ones, after any request);
        False if ``timeout`` seconds passed first."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            if keys is None:
                keys = self.keys
            else:
                keys = tuple(keys)
                for key in keys:                # the first key given is the next taken
                    if key not in self._values and key not in self._wanted:
                        self._wanted.insert(0, key)
            self._stopping = False
            self._ensure_worker()
            while not all(k in self._values for k in keys):
                left = None if deadline is None else deadline - time.monotonic()
                if left is not None and left <= 0:
                    return False
                self._cond.wait(left)
            return True

    def subscribe(self, method):
        """Call the bound ``method(key)`` after each value lands (on the thread that
        computed it). Held weakly: a tool that is gone is not kept alive by its grid."""
        with self._cond:
            self._listeners.append(weakref.WeakMethod(method))

    # -- inside ----------------------------------------------------------------------------
    def _ensure_worker(self):
        if self._thread is None and self._choose(peek=True) is not None:
            self._thread = threading.Thread(target=self._work, name="crossmargin-grid",
                                            daemon=True)
            self._thread.start()

    def _choose(self, peek=False):
        """The next key to compute: the latest request, else the next planned key."""
        if self._stopping:
            return None
        while self._wanted:
            key = self._wanted[-1]
            if key not in self._values:
                return key
            self._wanted.pop()
        n = self._next
        while n < len(self.keys) and self.keys[n] in self._values:
            n += 1
        if not peek:
            self._next = n
        return self.keys[n] if n < len(self.keys) else None

    def _run(self, key):
        started = time.perf_counter()
        try:
            value = self._compute(key)
        except Exception as error:      # kept for get(): the tool shows it, the worker goes on
            value = _Failed(error)
        self.seconds[key] = time.perf_counter() - started
        return value

    def _store(self, key, value, worker=False):
        with self._cond:
            self._values.setdefault(key, value)
            if key in self._wanted:
                self._wanted.remove(key)
            self._cond.notify_all()
        for ref in list(self._listeners):
            method = ref()
            if method is None:
                with self._cond:
                    if ref in self._listeners:
                        self._listeners.remove(ref)
                continue
            try:
                method(key)
            except Exception:           # on the worker: print it and go on filling
                if not worker:
                    raise
                traceback.print_exc()

    def _work(self):
        while True:
            with self._cond:
                key = self._choose()
                if key is None:
                    self._thread = None
                    self._cond.notify_all()
                    return
                self._busy = key
            value = self._run(key)
            with self._cond:
                self._busy = None
            self._store(key, value, worker=True)


    def stop(self, timeout=None):
        """Let the worker finish the value in hand and end, until the next :meth:`start`,
        :meth:`request` or :meth:`wait` (Python calls this at exit, so that no worker is cut
        off in the middle of a computation)."""
        with self._cond:
            self._stopping = True
            thread = self._thread
        if thread is not None:
            thread.join(timeout)


_SHARED = {}
_SHARED_LOCK = threading.Lock()
_ALL = weakref.WeakSet()


@atexit.register
def _stop_all():
    for grid in list(_ALL):
        grid.stop(timeout=10)


def shared(options, compute, keys):
    """The grid of ``options`` (a hashable tuple naming the tool and everything its values
    depend on), made with ``Grid(compute, keys)`` the first time; ``options`` None: a new,
    private grid (unseeded paths are never shared)."""
    if options is None:
        return Grid(compute, keys)
    with _SHARED_LOCK:
        if options not in _SHARED:
            _SHARED[options] = Grid(compute, keys)
        return _SHARED[options]


class GridTool:
    """A tool whose settings are the keys of a :class:`Grid` (a mixin of the widget).

    :meth:`_watch` sets it up (before the first :meth:`_select`), :meth:`_follow` subscribes
    to the grid and starts it (after the build). The tool defines ``_key()`` (the setting of
    its controls), ``_show(key, note)`` (draw the ready value; ``note``: how it was had; set
    ``_shown`` and ``_note``), ``_computing(key)`` (not ready: say so), ``_show_status(note)``
    (the status line with the grid's progress) and a ``status`` label; :attr:`COMPUTING` is
    that label while a value is computed here, :attr:`COMPUTED` the note after it.
    """

    #: What :meth:`wait` waits at most by default (seconds).
    WAIT_SECONDS = 60
    #: The status while the tool computes its setting itself.
    COMPUTING = "<i>computing…</i>"
    #: The note of a value computed by the tool itself (``seconds`` or ``ms`` it took).
    COMPUTED = "computed in {ms:.0f} ms"

    def _watch(self, grid, background):
        self.precomputed, self.background = grid, background
        self._lock = threading.RLock()
        self._shown = None              # the key on screen (None: computing)
        self._note = ""                 # how the value on screen was had
        self._here = None               # the key :meth:`_select` is computing itself

    def _follow(self):
        self.precomputed.subscribe(self._on_ready)
        if self.background:
            self.precomputed.start()

    def wait(self, timeout=None):
        """Block until the setting of the controls is on screen (for scripts and tests: in a
        notebook it appears by itself). False if ``timeout`` seconds (default
        :attr:`WAIT_SECONDS`) passed first."""
        key = self._key()
        if not self.precomputed.wait([key], self.WAIT_SECONDS if timeout is None else timeout):
            return False
        with self._lock:
            if self._shown != key and key == self._key():
                self._show(key)
        return True

    def _select(self, _change=None, now=False):
        """The controls moved: the value of their setting from the grid ("cached"), or
        computed here (``now``, or no background), or asked of the worker ("computing…")."""
        key = self._key()
        with self._lock:
            if self.precomputed.ready(key):
                self._show(key, "cached")
            elif now or not self.background:
                self.status.value = self.COMPUTING
                started = time.perf_counter()
                self._here = key
                try:
                    self.precomputed.compute(key)
                except CrossMarginError:
                    pass                # kept in the grid: _show reads it again
                finally:
                    self._here = None
                took = time.perf_counter() - started
                self._show(key, self.COMPUTED.format(seconds=took, ms=took * 1e3))
            else:
                self.precomputed.request(key)
                self._shown = None
                self._computing(key)

    def _on_ready(self, key):
        """A value landed (on the thread that computed it): show it if the controls are on
        it, else the grid's progress. One :meth:`_select` computed is drawn there, once."""
        with self._lock:
            if key == self._here:
                return
            if key == self._key() and self._shown != key:
                self._show(key, "")
            elif self._shown is not None:
                self._show_status(self._note)
