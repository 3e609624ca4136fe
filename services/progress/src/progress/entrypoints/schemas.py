"""Request bodies of the progress API (the answers are service_layer/read_models.py)."""

from __future__ import annotations

import datetime as dt
from datetime import date
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from diaodu_platform.types import Money
from progress.domain.model import AnomalyStatus, ConstructionStatus, ProcedureItem, ProcedureState
from progress.events import Enterprise

MonthStr = Annotated[
    str, Field(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM", examples=["2025-05"])
]
Url = Annotated[str, Field(pattern=r"^https?://\S+$", max_length=2000, description="http(s) URL of a file")]


class ProcedureIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: ProcedureItem
    state: ProcedureState
    date: dt.date | None = None


class FiguresIn(BaseModel):
    """The figures of a monthly report (万元); negative numbers are refused with rule negative_figure."""

    model_config = ConfigDict(extra="forbid")
    investment_month: Money = Field(description="本月完成投资")
    investment_ytd: Money = Field(description="本年累计完成投资 = last month's ytd + this month")
    investment_cumulative: Money = Field(description="开工累计完成投资")
    construction_status: ConstructionStatus
    actual_start_date: date | None = Field(default=None, description="实际开工日期 (required when started)")
    procedures: list[ProcedureIn] = Field(default=[], max_length=50)
    stats_registered: bool = Field(default=False, description="入统")
    stats_registered_on: date | None = None
    signed_amount: Money | None = Field(default=None, description="签约额 (signed projects)")
    funds_in_place: Money | None = Field(default=None, description="到位资金 (signed projects)")
    narrative: str | None = Field(default=None, max_length=4000, description="形象进度")
    attachments: list[Url] = Field(default=[], max_length=20)


class ReportIn(FiguresIn):
    project_id: str = Field(min_length=1, max_length=64)
    month: MonthStr


class RevisionIn(FiguresIn):
    reason: str = Field(min_length=1, max_length=2000, description="Why the report is corrected")


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: AnomalyStatus = Field(
        description="confirmed (the figure must be corrected) or dismissed (it is right)"
    )
    note: str | None = Field(default=None, max_length=2000)


class UnitReturnIn(BaseModel):
    """单位月报: enterprises that newly entered the above-designated-size statistics (新增入规企业, R9)."""

    model_config = ConfigDict(extra="forbid")
    unit_code: str = Field(min_length=1, max_length=64)
    month: MonthStr
    above_size_enterprises: list[Enterprise] = Field(default=[], max_length=500)
    note: str | None = Field(default=None, max_length=2000)
