"""The benchmark policy (policy.kpi) in pandas, as an analyst would write it: the reference for
"what the usual tool costs". `python -m benchmarks.pandas_score DATA_DIR OUT.csv` writes
id,total,grade,place. Bands compare exact integer counts, as the policy's percentages mean."""
from __future__ import annotations

import sys
from pathlib import Path


def bands(value_times_scale, limits, scores, otherwise, higher=True):
    """The first band whose bound (scaled like the value) holds, as a score column."""
    import numpy as np

    conditions = [(value_times_scale >= bound) if higher else (value_times_scale <= bound)
                  for bound in limits]
    return np.select(conditions, scores, otherwise)


def main(data_dir: str, out: str) -> None:
    import numpy as np
    import pandas as pd

    folder = Path(data_dir)
    staff = pd.read_parquet(folder / "staff.parquet")
    tickets = pd.read_parquet(folder / "tickets.parquet")
    month = tickets[(tickets.opened_at >= "2026-10-01") & (tickets.opened_at < "2026-11-01")]
    flags = pd.DataFrame({
        "agent_id": month.agent_id,
        "on_time": month.first_response <= 30,
        "resolved": month.resolved,
        "reopened": month.reopened,
        "escalated": month.escalated,
        "rated": month.csat.notna(),
        "csat": month.csat.fillna(0).astype("int64"),
        "handle": month.handle_time.astype("int64"),
    })
    c = flags.groupby("agent_id").agg(
        n=("on_time", "size"), on_time=("on_time", "sum"), resolved=("resolved", "sum"),
        reopened=("reopened", "sum"), escalated=("escalated", "sum"), rated=("rated", "sum"),
        csat=("csat", "sum"), handle=("handle", "sum"))
    n = c.n
    score = pd.DataFrame(index=c.index)
    score["on_time"] = bands(c.on_time * 100, [95 * n, 90 * n, 80 * n], [100, 80, 60], 0)
    score["fcr"] = bands(c.resolved * 100, [90 * n, 80 * n, 70 * n], [100, 80, 60], 30)
    score["reopen"] = bands(c.reopened * 100, [5 * n, 10 * n, 15 * n], [100, 70, 40], 0, higher=False)
    score["escalation"] = bands(c.escalated * 100, [3 * n, 6 * n], [100, 60], 0, higher=False)
    score["csat"] = bands(c.csat * 10, [45 * c.rated, 42 * c.rated, 38 * c.rated], [100, 85, 60], 20)
    score["handle"] = bands(c.handle, [600 * n, 900 * n, 1200 * n], [100, 75, 50], 0, higher=False)
    # weights in percent: the total in hundredths is an exact integer
    hundredths = (25 * score.on_time + 20 * score.fcr + 15 * score.reopen + 10 * score.escalation
                  + 20 * score.csat + 10 * score.handle)
    people = staff.set_index("employee_id").join(hundredths.rename("hundredths"), how="inner")
    by_team = people.groupby("team").hundredths
    size = by_team.transform("size")
    from_top = by_team.rank(method="min", ascending=False)
    from_bottom = by_team.rank(method="min", ascending=True)
    half_up = lambda x: np.floor(x + 0.5)  # noqa: E731 - n x 20% is a multiple of 0.1 here
    people["total"] = [f"{h // 100}.{h % 100:02d}" for h in people.hundredths]
    people["grade"] = np.select([people.hundredths >= 9000, people.hundredths >= 7500,
                                 people.hundredths >= 6000], ["优秀", "良好", "合格"], "待改进")
    people["place"] = np.select([from_top <= half_up(size * 2 / 10), from_bottom <= half_up(size / 10)],
                                ["A", "C"], "")
    people.index.name = "id"
    people.sort_index()[["total", "grade", "place"]].to_csv(out)


if __name__ == "__main__":
    main(*sys.argv[1:])
