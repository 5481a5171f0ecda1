"""Kernel-wide state a report may change, beyond its namespace: put back, or say "restart".

Two kinds, used by :mod:`reportkit.kernelstate` between two reports of one warm kernel:

* state that can be put back exactly (:class:`Restorable`): the decimal contexts, numpy
  print options and error handling, warnings filters, the locale, recursion and
  int-digit limits, umask, gc, standard streams and hooks, IPython's display formatters,
  event callbacks and input/AST transformers;
* state that cannot (:func:`why_restart`): a module removed, replaced or newly imported
  (a fresh kernel would import it fresh), a thread still running, reportkit's own module
  data (the format spec, the template environment) changed in place, builtins rebound.
  The engine then starts a new kernel, so the next report sees what a fresh one would.
"""
from __future__ import annotations

import builtins
import decimal
import gc
import hashlib
import locale
import os
import pickle
import sys
import threading
import types
import warnings

# Threads the kernel itself starts lazily (zmq's zero-copy garbage collector, ipykernel's
# channels): expected, not a report's doing.
_OWN_THREADS = ("ipykernel", "zmq", "jupyter_client", "IPython")
# builtins IPython itself sets and unsets around each execution (displayhook's ``_``, the trap)
_SHELL_BUILTINS = {"_", "__", "___", "exit", "quit", "get_ipython", "display", "__IPYTHON__", "dreload",
                   "input", "raw_input"}  # ipykernel swaps input() per request
_SELF = ("reportkit.kernelstate", "reportkit.isolation")  # hold the snapshot itself
_DECIMAL_FIELDS = ("prec", "rounding", "Emin", "Emax", "capitals", "clamp")


class Restorable:
    """A snapshot of what can be put back; :meth:`restore` puts it back."""

    def __init__(self, shell):
        self.shell = shell
        self.decimal = decimal.getcontext().copy()
        self.default_decimal = _decimal_fields(decimal.DefaultContext)
        self.numpy = _numpy_state()
        self.warnings = list(warnings.filters)
        self.locale = locale.setlocale(locale.LC_ALL)
        self.limits = (sys.getrecursionlimit(), sys.get_int_max_str_digits())
        self.umask = os.umask(0o022)
        os.umask(self.umask)
        self.gc = (gc.isenabled(), gc.get_threshold())
        self.streams = (sys.stdout, sys.stderr, sys.stdin, sys.displayhook, sys.excepthook)
        self.formatters = {k: (dict(f.type_printers), dict(f.deferred_printers), f.enabled)
                           for k, f in shell.display_formatter.formatters.items()}
        self.events = {k: list(v) for k, v in shell.events.callbacks.items()}
        self.transformers = (list(shell.ast_transformers), list(shell.input_transformers_post),
                             list(shell.input_transformers_cleanup))

    def restore(self) -> None:
        decimal.setcontext(self.decimal.copy())
        for name, value in self.default_decimal.items():
            setattr(decimal.DefaultContext, name, value)
        _set_numpy_state(self.numpy)
        warnings.filters[:] = self.warnings
        warnings._filters_mutated()
        if locale.setlocale(locale.LC_ALL) != self.locale:
            locale.setlocale(locale.LC_ALL, self.locale)
        sys.setrecursionlimit(self.limits[0])
        sys.set_int_max_str_digits(self.limits[1])
        os.umask(self.umask)
        (gc.enable if self.gc[0] else gc.disable)()
        gc.set_threshold(*self.gc[1])
        sys.stdout, sys.stderr, sys.stdin, sys.displayhook, sys.excepthook = self.streams
        for key, (types_, deferred, enabled) in self.formatters.items():
            f = self.shell.display_formatter.formatters[key]
            f.type_printers.clear()
            f.type_printers.update(types_)
            f.deferred_printers.clear()
            f.deferred_printers.update(deferred)
            f.enabled = enabled
        for key, callbacks in self.events.items():
            self.shell.events.callbacks[key][:] = callbacks
        self.shell.ast_transformers[:], self.shell.input_transformers_post[:], \
            self.shell.input_transformers_cleanup[:] = (list(t) for t in self.transformers)


def _decimal_fields(ctx: decimal.Context) -> dict:
    out = {name: getattr(ctx, name) for name in _DECIMAL_FIELDS}
    out["traps"], out["flags"] = dict(ctx.traps), dict(ctx.flags)
    return out


def _numpy_state():
    np = sys.modules.get("numpy")
    return (np.get_printoptions(), np.geterr()) if np else None


def _set_numpy_state(state) -> None:
    np = sys.modules.get("numpy")
    if np is None or state is None:
        return
    options, err = state
    options = dict(options)
    options.pop("override_repr", None)  # numpy 2.x reports it, but does not take it back
    np.set_printoptions(**options)
    np.seterr(**err)


# --- what cannot be put back -------------------------------------------------------------------
class Baseline:
    """Modules, threads, builtins and reportkit's own data as a fresh kernel has them."""

    def __init__(self):
        self.modules = {name: id(m) for name, m in list(sys.modules.items())}
        self.threads = {t.ident for t in threading.enumerate()}
        self.builtins = {k: id(v) for k, v in vars(builtins).items()}
        self.reportkit = reportkit_fingerprint()

    def why_restart(self) -> str:
        """'' when the kernel is as the baseline, else the first difference found, in words."""
        for name, ident in self.modules.items():
            if id(sys.modules.get(name)) != ident:
                return f"module {name} removed or replaced"
        new = [n for n in list(sys.modules) if n not in self.modules]
        if new:
            return f"module {new[0]} newly imported"
        for t in threading.enumerate():
            if t.ident not in self.threads and t.is_alive() and not _own_thread(t):
                return f"thread {t.name} still running"
        now = {k: id(v) for k, v in vars(builtins).items() if k not in _SHELL_BUILTINS}
        if now != {k: v for k, v in self.builtins.items() if k not in _SHELL_BUILTINS}:
            changed = sorted(set(now.items()) ^ {(k, v) for k, v in self.builtins.items() if k not in _SHELL_BUILTINS})
            return f"builtins changed ({changed[0][0]})"
        if reportkit_fingerprint() != self.reportkit:
            return "reportkit module data changed"
        return ""


def _own_thread(t: threading.Thread) -> bool:
    target = getattr(t, "_target", None)
    where = getattr(target, "__module__", None) or type(t).__module__
    return where.startswith(_OWN_THREADS)


def _digest(value) -> object:
    """A fingerprint of one module global: its content when it is data, its identity else."""
    if isinstance(value, (types.ModuleType, type, types.FunctionType, types.BuiltinFunctionType)) \
            or callable(value):
        return id(value)
    try:
        return id(value), hashlib.sha1(pickle.dumps(value, protocol=4)).hexdigest()
    except Exception:  # noqa: BLE001 — not picklable: identity and attributes one level down
        attrs = getattr(value, "__dict__", {})
        return id(value), tuple(sorted((k, id(v)) for k, v in attrs.items()))


def reportkit_fingerprint() -> str:
    """Every global of every loaded reportkit module, and the template environment's tables."""
    h = hashlib.sha1()
    for name in sorted(n for n in list(sys.modules) if (n == "reportkit" or n.startswith("reportkit."))
                       and n not in _SELF):
        for key, value in sorted(vars(sys.modules[name]).items(), key=lambda kv: kv[0]):
            if not key.startswith("__"):
                h.update(f"{name}.{key}={_digest(value)!r}\n".encode())
    templating = sys.modules.get("reportkit.templating")
    if templating is not None and templating.environment.cache_info().currsize:
        env = templating.environment()
        for table in (env.globals, env.filters, env.tests, env.policies):
            h.update(repr(sorted((k, id(v)) for k, v in table.items())).encode())
        h.update(repr((id(env.loader), env.autoescape, id(env.undefined))).encode())
    return h.hexdigest()
