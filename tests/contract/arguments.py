"""Argument types the contract tools' command lines share, each refusing in one line."""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable
from typing import TypeVar

Number = TypeVar("Number", int, float)


def positive(kind: Callable[[str], Number], unit: str) -> Callable[[str], Number]:
    """An argparse type: a finite number of ``kind`` above zero, counted in ``unit``."""
    words = "a whole number" if kind is int else "a number"

    def parse(text: str) -> Number:
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {words} of {unit}") from None
        if not 0 < value < math.inf:
            raise argparse.ArgumentTypeError(f"{text} {unit}: must be positive")
        return value

    return parse


def port(text: str) -> int:
    """An argparse type: a TCP port, 1 to 65535."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a TCP port") from None
    if not 1 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"{number} is not a TCP port")
    return number
