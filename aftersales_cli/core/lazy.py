"""Lazy package exports (PEP 562): a package names what it offers without importing the
sub-modules that hold it, so a light import (the batch's main process) does not pull in pandas."""
from __future__ import annotations

from importlib import import_module
from typing import Any, Callable


def exports(package: str, home: dict[str, str]) -> Callable[[str], Any]:
    """A module `__getattr__` for `package`: name → the attribute of sub-module `home[name]`.

    On first use the sub-module is imported and every name it exports is put in the package's
    namespace — also over the sub-module itself where a function shares its module's name
    (`kpi.compute`), as an eager `from .compute import compute` would. Unknown names raise
    AttributeError as usual."""
    import sys

    def __getattr__(name: str) -> Any:
        if name not in home:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        module = import_module(f"{package}.{home[name]}")
        for key, where in home.items():
            if where == home[name]:
                setattr(sys.modules[package], key, getattr(module, key))
        return getattr(module, name)
    return __getattr__
