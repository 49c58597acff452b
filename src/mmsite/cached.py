"""``cached_property`` without a lock.

Python 3.11's ``functools.cached_property`` takes a lock on every first access (removed
in 3.12 as useless and slow). A build makes hundreds of thousands of these first
accesses (page views, product views, routes), each in one thread. This is 3.12's
version: computed once per instance, stored in its ``__dict__`` under the same name,
which then shadows the descriptor (so ``del obj.name`` forgets it, as before).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar, overload

T = TypeVar("T")


class cached_property(Generic[T]):  # noqa: N801 (named like the functools one it replaces)
    def __init__(self, func: Callable[[Any], T]) -> None:
        self.func = func
        self.name = func.__name__
        self.__doc__ = func.__doc__
        self.__module__ = func.__module__

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, instance: None, owner: type | None = None) -> cached_property[T]: ...
    @overload
    def __get__(self, instance: object, owner: type | None = None) -> T: ...
    def __get__(self, instance: object | None, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = instance.__dict__[self.name] = self.func(instance)
        return value
