"""What the registry's routes share: its unit of work and the answers of a creating POST."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends

from diaodu_platform.http import new_unit_of_work
from registry.service_layer.unit_of_work import RegistryUnitOfWork

# The app's unit-of-work factory (diaodu_platform.http), typed as the registry's (ServiceSpec.unit_of_work).
NewUow = Annotated[Callable[[], RegistryUnitOfWork], Depends(new_unit_of_work)]
