"""Value types shared by APIs and events: money in 万元, Asia/Shanghai time."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated
from zoneinfo import ZoneInfo

from pydantic import Field, PlainSerializer

SHANGHAI = ZoneInfo("Asia/Shanghai")

# Money is in 万元 with at most two decimal places (SPEC §3); JSON carries it as a number.
Money = Annotated[
    Decimal,
    Field(max_digits=16, decimal_places=2, description="金额, 万元 (10,000 CNY), at most 2 decimals"),
    PlainSerializer(lambda v: float(v), return_type=float, when_used="json"),
]
NonNegativeMoney = Annotated[Money, Field(ge=0)]
