"""Keyword arguments typed once, as a TypedDict unpacked by each function that takes them
(`**about: Unpack[EventAbout]`): the type checker reads the keys, but Python accepts any
keyword into **kwargs, so the function refuses the others itself."""

from collections.abc import Mapping


def refuse_unknown(given: Mapping[str, object], typed: type) -> None:
    """A misspelt keyword is a caller's bug: refused (TypeError) as a signature would refuse it."""
    if unknown := given.keys() - typed.__annotations__.keys():
        raise TypeError(f"unexpected keyword arguments: {sorted(unknown)}")
