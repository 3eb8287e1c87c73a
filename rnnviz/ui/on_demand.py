"""OnDemand: the window's views by name, some of them built only the first time they are asked for.

Most sessions never open the lab's views, and each costs tens of milliseconds of pyqtgraph items to
build: the window shows sooner if they wait. A view built late draws the session's current state as
it is built (every view's show_state is idempotent) and takes the window's theme of that moment.
Iterating gives every name, built or not; `built()` gives only those that exist, for work that a
view not yet built does not need (a new theme: it is built with it).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping


class OnDemand(MutableMapping):
    def __init__(self, built: dict, makers: dict[str, Callable[[], object]]):
        self._names = [*built, *(n for n in makers if n not in built)]  # the order names were given
        self._built = dict(built)
        self._makers = dict(makers)
        self.on_built: Callable[[str, object], None] | None = None  # e.g. the deck parks a new view

    def __getitem__(self, name: str):
        if name not in self._built:
            make = self._makers.pop(name)  # KeyError for a name it does not know, as a dict
            self._built[name] = make()
            if self.on_built is not None:
                self.on_built(name, self._built[name])
        return self._built[name]

    def __setitem__(self, name: str, value) -> None:
        if name not in self._built and name not in self._makers:
            self._names.append(name)
        self._makers.pop(name, None)
        self._built[name] = value

    def __delitem__(self, name: str) -> None:
        if name not in self._built and name not in self._makers:
            raise KeyError(name)
        self._built.pop(name, None)
        self._makers.pop(name, None)
        self._names.remove(name)

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._names))

    def __len__(self) -> int:
        return len(self._names)

    def __contains__(self, name) -> bool:
        return name in self._built or name in self._makers

    def is_built(self, name: str) -> bool:
        return name in self._built

    def built(self) -> dict:
        """The values that exist so far, in order (none is built by asking)."""
        return {n: self._built[n] for n in self._names if n in self._built}

    def only(self, names: Iterable[str]) -> Mapping:
        """A read-only view of some names; a value is built when it is asked for, as here."""
        return _Some(self, tuple(names))


class _Some(Mapping):
    def __init__(self, whole: OnDemand, names: tuple[str, ...]):
        self._whole, self._names = whole, names

    def __getitem__(self, name: str):
        if name not in self._names:
            raise KeyError(name)
        return self._whole[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
