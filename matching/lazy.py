"""Results worked out on first read: the matcher words explanations only for what a page (or the API) reads.

A `LazyTuple` or `LazyMapping` stands in for a tuple or dict inside a result. It compares equal to the plain value it
stands for (so an engine result still equals the reference's), hashes, pickles and prints as that value, and runs its
work once however many times and from however many threads it is read.
"""

import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

T = TypeVar("T")
K = TypeVar("K")
V = TypeVar("V")


class Once(Generic[T]):
    """A value made by `make` the first time it is asked for, then kept (and `make`, with what it holds, dropped)."""

    __slots__ = ("_lock", "_make", "_value")

    def __init__(self, make: Callable[[], T]) -> None:
        self._make: Callable[[], T] | None = make
        self._value: T | None = None
        self._lock = threading.Lock()

    def __call__(self) -> T:
        if self._make is not None:
            with self._lock:
                if self._make is not None:
                    self._value = self._make()
                    self._make = None
        return self._value  # type: ignore[return-value]


class LazyTuple(Sequence[T]):
    __slots__ = ("_once",)

    def __init__(self, make: Callable[[], Sequence[T]]) -> None:
        self._once = Once(lambda: tuple(make()))

    def _items(self) -> tuple[T, ...]:
        return self._once()

    def __getitem__(self, index):
        return self._items()[index]

    def __len__(self) -> int:
        return len(self._items())

    def __iter__(self) -> Iterator[T]:
        return iter(self._items())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyTuple):
            other = other._items()
        return isinstance(other, tuple) and self._items() == other

    def __hash__(self) -> int:
        return hash(self._items())

    def __repr__(self) -> str:
        return repr(self._items())

    def __reduce__(self) -> tuple[Any, ...]:
        return (tuple, (self._items(),))


class LazyMapping(Mapping[K, V]):
    __slots__ = ("_once",)

    def __init__(self, make: Callable[[], Mapping[K, V]]) -> None:
        self._once = Once(lambda: dict(make()))

    def _items(self) -> dict[K, V]:
        return self._once()

    def __getitem__(self, key: K) -> V:
        return self._items()[key]

    def __len__(self) -> int:
        return len(self._items())

    def __iter__(self) -> Iterator[K]:
        return iter(self._items())

    def __eq__(self, other: object) -> bool:
        if isinstance(other, LazyMapping):
            other = other._items()
        return isinstance(other, Mapping) and self._items() == dict(other)

    def __hash__(self) -> int:
        return hash(frozenset(self._items().items()))

    def __repr__(self) -> str:
        return repr(self._items())

    def __reduce__(self) -> tuple[Any, ...]:
        return (dict, (self._items(),))


class LazyItems(LazyTuple[T]):
    """A tuple whose items are each worked out when first read, so a page showing ten of two hundred words ten."""

    __slots__ = ("_cache", "_length", "_make_item")

    def __init__(self, length: Callable[[], int], make_item: Callable[[int], T]) -> None:
        self._length = Once(length)
        self._make_item = make_item
        self._cache: dict[int, T] = {}
        super().__init__(lambda: [self._item(i) for i in range(self._length())])

    def _item(self, index: int) -> T:
        if index not in self._cache:
            self._cache[index] = self._make_item(index)
        return self._cache[index]

    def __getitem__(self, index):
        if isinstance(index, slice):
            return tuple(self._item(i) for i in range(*index.indices(len(self))))
        position = index + len(self) if index < 0 else index
        if not 0 <= position < len(self):
            raise IndexError("LazyItems index out of range")
        return self._item(position)

    def __len__(self) -> int:
        return self._length()
