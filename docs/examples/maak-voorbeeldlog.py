"""Make werk-en-inkomen-log.csv, a partner-style export of a simulated log.

Run as ``python docs/examples/maak-voorbeeldlog.py``.

The log of werk-en-inkomen-kantoor.toml is simulated with ketensim, then
written as a case system would export it: Dutch column names, timestamps,
anonymised case numbers, and only what a partner's system knows (no
replication, no status column).
"""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pandas as pd

import ketensim

HERE = Path(__file__).resolve().parent


def main() -> None:
    scenario = ketensim.load(HERE / "werk-en-inkomen-kantoor.toml")
    with tempfile.TemporaryDirectory() as parts, tempfile.TemporaryDirectory() as out:
        results = ketensim.simulate(scenario, replications=1, events=parts)
        ketensim.write(results, Path(out) / "run", events=parts)
        log = pd.read_csv(Path(out) / "run" / "events.csv", keep_default_na=False,
                          na_values=[""])
    start = pd.Timestamp(scenario.start_date)

    def moment(hours: pd.Series) -> pd.Series:
        stamps = start + pd.to_timedelta(hours, unit="h")
        return stamps.dt.strftime("%Y-%m-%dT%H:%M:%S").where(hours.notna(), "")

    number = log["case_id"].map(
        lambda c: "Z" + hashlib.sha256(f"wi-{c}".encode()).hexdigest()[:8].upper())
    export = pd.DataFrame({
        "zaaknummer": number, "zaaktype": log["case_type"], "activiteit": log["activity"],
        "afdeling": log["partner"], "gereed": moment(log["enable_time"]),
        "start": moment(log["start_time"]), "einde": moment(log["end_time"]),
        "uitkomst": log["outcome"].fillna(""),
    })
    export = export[log["status"].isin(["done", "waiting", "in_service"]).to_numpy()]
    export.to_csv(HERE / "werk-en-inkomen-log.csv", index=False, lineterminator="\n")


if __name__ == "__main__":
    main()
