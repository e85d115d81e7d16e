"""What every app's API router shares: bounded pagination and offsets, so that no number
reaches the database as an overflow."""

from ninja import Field
from ninja.pagination import PageNumberPagination

MAX_PAGE = 10_000
MAX_OFFSET = 1_000_000


class Pagination(PageNumberPagination):
    """ninja's page numbers, bounded: a page past the last one is empty, not an overflow."""

    class Input(PageNumberPagination.Input):
        page: int = Field(1, ge=1, le=MAX_PAGE)
        page_size: int | None = Field(None, ge=1, le=500)
