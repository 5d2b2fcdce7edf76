"""Path parameters shared by the API and admin routes."""

from typing import Annotated

from fastapi import Path

from rostra.domain.numbers import STORED_INT_MAX

# Beyond the databases' 64-bit range an id names nothing; refused as bad input
# rather than handed to a driver that would raise.
RowId = Annotated[int, Path(ge=1, le=STORED_INT_MAX, description="A row id")]
