"""Every cell of every valid bureau × year as one long table (CSV or Parquet).

Columns: ``bureau, year, table, row, column, value``; ``table`` is ``proactive``,
``applications`` or ``review_litigation``; rows and columns are the format file's keys.
"""
from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Iterable, Iterator, Optional

from . import atomic, params
from .errors import BadArgument
from .spec import load_spec
from .validate import Checked, check_many

if TYPE_CHECKING:
    from .model import BureauYear

COLUMNS = ["bureau", "year", "table", "row", "column", "value"]


def cells(data: BureauYear) -> Iterator[tuple[str, str, str, float]]:
    """(table, row, column, value) for every cell of the three tables, derived cells included."""
    for row in load_spec().proactive_rows:
        value = data.proactive.cell(row.key)
        if hasattr(value, "in_force"):
            for col in ("issued", "repealed", "in_force"):
                yield "proactive", row.key, col, getattr(value, col)
        else:
            yield "proactive", row.key, "amount" if row.decimal else "count", value
    for path, figures in data.app_cells().items():
        for col, value in figures.items():
            yield "applications", path[-1], col, value
    for group, figures in data.review_cells().items():
        for col, value in figures.items():
            yield "review_litigation", group, col, value


def records(checked: Iterable[Checked]) -> list[dict]:
    out = []
    for c in checked:
        if not c.ok:
            continue
        for table, row, col, value in cells(c.data):
            out.append({"bureau": c.bureau, "year": c.year, "table": table, "row": row, "column": col,
                        "value": float(value) if isinstance(value, Decimal) else int(value)})
    return out


def parse_years(text: Optional[str]) -> Optional[list[int]]:
    """'2021-2023' → [2021, 2022, 2023]; '2022' → [2022]; None → None (all).

    Every year must lie in params.FIRST_YEAR..LAST_YEAR: '1-999999999' is refused at once.
    """
    if not text:
        return None
    try:
        if "-" in text:
            a, b = (int(x) for x in text.split("-", 1))
            if a > b:
                raise ValueError
            years = [a, b]
        else:
            years = [int(y) for y in text.split(",")]
    except ValueError:
        raise BadArgument("年份应写作 2021-2023 或 2022", field="--years",
                          expected="2021-2023", found=text[:40]) from None
    for y in years:
        params.check_year(y, "--years")
    return list(range(years[0], years[1] + 1)) if "-" in text else years


def frame(params_dir: Path, years: Optional[list[int]] = None):
    """The long table as a pandas DataFrame, plus the bureau-years left out as invalid."""
    import pandas as pd

    checked = check_many(params_dir, years)
    rows = records(checked)
    df = pd.DataFrame(rows, columns=COLUMNS)
    # keep whole counts whole in the CSV (5, not 5.0); only money has decimals
    df["value"] = pd.Series([r["value"] for r in rows], dtype=object, index=df.index)
    return df, [c for c in checked if not c.ok]


def export(params_dir: Path, target: Path, years: Optional[list[int]] = None) -> tuple[int, list[Checked]]:
    """Write the long table to ``target`` (.csv or .parquet); returns (rows, invalid left out)."""
    target = Path(target)
    suffix = target.suffix.lower()
    if suffix not in (".csv", ".parquet"):
        raise BadArgument("输出文件应以 .csv 或 .parquet 结尾", file=str(target),
                          expected=".csv 或 .parquet", found=suffix or "（无）")
    df, invalid = frame(params_dir, years)
    if suffix == ".csv":
        atomic.write_text(target, df.to_csv(index=False))
    else:
        import io

        buf = io.BytesIO()
        df.astype({"value": "float64"}).to_parquet(buf, index=False)
        atomic.write_bytes(target, buf.getvalue())
    return len(df), invalid
