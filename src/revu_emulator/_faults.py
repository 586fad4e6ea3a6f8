"""Reproducible fault injection: request n's fault depends only on (seed, n)."""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Literal

from revu_emulator._config import Faults

Fault = Literal["overloaded", "server_error", "drop_stream", "hang"]


@dataclass
class FaultPlan:
    """Numbers chat requests as they reach the fault stage and draws each one's fault."""

    faults: Faults
    index: int = 0

    def next(self) -> Fault | None:
        """The fault for the next request, or None. One draw u in [0, 1) per request, compared
        against the probabilities laid end to end: overloaded, server_error, drop_stream, hang."""
        draw = random.Random(f"{self.faults.seed}:{self.index}").random()
        self.index += 1
        edge = 0.0
        outcomes: tuple[tuple[Fault, float], ...] = (
            ("overloaded", self.faults.overloaded),
            ("server_error", self.faults.server_error),
            ("drop_stream", self.faults.drop_stream),
            ("hang", self.faults.hang),
        )
        for name, chance in outcomes:
            edge += chance
            if draw < edge:
                return name
        return None
