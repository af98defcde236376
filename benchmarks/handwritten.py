"""Run the hand-written DuckDB query (handwritten.sql) on a benchmark data folder, as a process of
its own: `python -m benchmarks.handwritten DATA_DIR OUT.csv` writes id,total,grade,place."""
from __future__ import annotations

import csv
import sys
from pathlib import Path


def main(data_dir: str, out: str) -> None:
    import duckdb

    def quoted(path: Path) -> str:
        return "'" + str(path).replace("'", "''") + "'"

    folder = Path(data_dir)
    query = (Path(__file__).with_name("handwritten.sql").read_text(encoding="utf-8")
             .replace("{staff}", quoted(folder / "staff.parquet"))
             .replace("{tickets}", quoted(folder / "tickets.parquet")))
    rows = duckdb.sql(query).fetchall()
    with open(out, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["id", "total", "grade", "place"])
        writer.writerows(rows)


if __name__ == "__main__":
    main(*sys.argv[1:])
