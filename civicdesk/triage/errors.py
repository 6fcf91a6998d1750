"""Errors the engine reports to people: each names the file, row and column when it can."""


class TriageError(Exception):
    """Something a person can fix: bad input, a missing column, an incompatible model."""

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        row: int | None = None,
        column: str | None = None,
    ) -> None:
        self.message = message
        self.file = file
        self.row = row
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = []
        if self.file:
            where.append(str(self.file))
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column:
            where.append(f"column {self.column!r}")
        return f"{', '.join(where)}: {self.message}" if where else self.message


class ModelFormatError(TriageError):
    """A model file written by another format version, or not a model at all."""
