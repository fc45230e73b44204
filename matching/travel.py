"""How long the plan allows to travel a straight-line distance: one rule for the plan and the timing phrases."""

import math

from matching.model import PlanSettings


def minutes_to_travel(metres: float, settings: PlanSettings) -> int:
    metres_per_minute = settings.travel_speed_kmh * 1000.0 / 60.0
    return math.ceil(metres / metres_per_minute) + settings.buffer_minutes
